-- Trunk calls (docs/carriers.md "Trunk calls"): the SIP Call-ID of the INVITE that a source trunk sent.
-- trunk_sid already exists (001); it is set on trunk calls only.
ALTER TABLE calls ADD COLUMN sip_call_id TEXT;
