"""Smoke test of Switchboard through the official Twilio Python SDK (twilio-python), and of its status callbacks
through the SDK's RequestValidator, as a Python application would check them.

Environment: SWITCHBOARD_URL (e.g. http://127.0.0.1:5000), TWILIO_ACCOUNT_SID, TWILIO_AUTH_TOKEN.
Prints one "ok ..." line per check, "CANCELED CA..." and "DELETED CA..." for the calls it cancels and deletes,
and exits 1 with a message on the first failure. Run by tests/Switchboard.Tests/Api/PythonSdkSmokeTests.cs
against a server on a fake clock, where created calls stay queued or ringing until canceled.
"""
import datetime
import os
import re
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qsl

import twilio
from twilio.base.exceptions import TwilioRestException
from twilio.request_validator import RequestValidator
from twilio.rest import Client

TO = "+14155550100"
FROM = "+14155550199"
TWIML = '<Response><Pause length="10"/></Response>'
LIVE = ("queued", "ringing")


def env(name):
    value = os.environ.get(name)
    if not value:
        raise RuntimeError(f"environment variable {name} is not set")
    return value


def check(condition, what):
    if not condition:
        raise AssertionError(what)


def ok(what):
    print(f"ok {what}", flush=True)


def expect_error(action, code, status, what):
    try:
        action()
    except TwilioRestException as e:
        check(e.code == code, f"{what}: code {e.code}, expected {code}")
        check(e.status == status, f"{what}: status {e.status}, expected {status}")
        check(isinstance(e.msg, str) and e.msg, f"{what}: message {e.msg!r}")
        return e
    raise AssertionError(f"{what}: no TwilioRestException")


class Receiver:
    """A status-callback receiver as a Python application writes one: every request checked with the SDK's RequestValidator."""

    def __init__(self, auth_token):
        self.validator = RequestValidator(auth_token)
        self.received = []
        self.lock = threading.Lock()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            # HTTP/1.1 with keep-alive, as the servers Python applications run on (gunicorn, uvicorn, werkzeug) speak.
            # http.server's default, HTTP/1.0 closing every connection after its answer, makes some of the server's
            # deliveries fail on the first attempt (docs/callbacks.md), and on this test's still clock a retry never comes.
            protocol_version = "HTTP/1.1"

            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length", "0"))).decode("utf-8")
                params = dict(parse_qsl(body, keep_blank_values=True))
                url = f"http://127.0.0.1:{receiver.port}{self.path}"
                valid = receiver.validator.validate(url, params, self.headers.get("X-Twilio-Signature", ""))
                with receiver.lock:
                    receiver.received.append((params, valid))
                self.send_response(200 if valid else 403)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.server.server_address[1]
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def wait_for(self, count, what, server_side, seconds=20):
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            with self.lock:
                if len(self.received) >= count:
                    return list(self.received)
            time.sleep(0.05)
        with self.lock:
            got = [(p.get("SequenceNumber"), p.get("CallStatus"), valid) for p, valid in self.received]
        raise AssertionError(f"{what}: {len(got)} callback(s) after {seconds} s, expected {count}; received {got}; server: {server_side()}")


def signed_callbacks(client, auth_token):
    """A call (it rings, and stays ringing on the test server's still clock) reports to a receiver that validates each
    signature; canceled while ringing, it ends with a canceled callback. Then it is deleted."""
    receiver = Receiver(auth_token)
    try:
        url = f"http://127.0.0.1:{receiver.port}/status?tenant=42"
        call = client.calls.create(to=TO, from_=FROM, twiml=TWIML, status_callback=url,
                                   status_callback_event=["initiated", "ringing", "answered", "completed"])
        def server_side():
            status = client.calls(call.sid).fetch().status
            listed = client.request("GET", f"{client.api.base_url}/2010-04-01/Accounts/{client.account_sid}/Calls/{call.sid}/Callbacks.json")
            return f"call {status}, Callbacks.json {listed.text}"

        got = receiver.wait_for(2, "initiated and ringing", server_side)
        client.calls(call.sid).update(status="canceled")
        got = receiver.wait_for(3, "the canceled call's completed event", server_side)
        check(all(valid for _, valid in got), f"signatures: {[valid for _, valid in got]}")
        check([p["SequenceNumber"] for p, _ in got] == ["0", "1", "2"], f"sequence numbers {[p['SequenceNumber'] for p, _ in got]}")
        check([p["CallStatus"] for p, _ in got] == ["initiated", "ringing", "canceled"], f"statuses {[p['CallStatus'] for p, _ in got]}")
        check(all(p["CallSid"] == call.sid and p["CallbackSource"] == "call-progress-events" for p, _ in got), "CallSid and CallbackSource")
        check(got[2][0].get("SipResponseCode") == "487", f"SipResponseCode {got[2][0].get('SipResponseCode')}")
        ok(f"callbacks: initiated, ringing, canceled (SequenceNumber 0-2, SipResponseCode 487), each signature valid for RequestValidator")
        check(client.calls(call.sid).recordings.list() == [], "recordings of the call: none (no media)")
        check(client.calls(call.sid).notifications.list(log=1) == [], "warnings of the call: none")
        ok("sub-resources: recordings [], notifications (log=1) []")
        check(client.calls(call.sid).delete() is True, "delete the callback call")
    finally:
        receiver.server.shutdown()


def main():
    base_url = env("SWITCHBOARD_URL").rstrip("/")
    account_sid = env("TWILIO_ACCOUNT_SID")
    client = Client(account_sid, env("TWILIO_AUTH_TOKEN"))
    client.api.base_url = base_url
    print(f"twilio-python {twilio.__version__} -> {base_url}", flush=True)

    signed_callbacks(client, env("TWILIO_AUTH_TOKEN"))

    # Create three calls; the third asks for callback events as a list (the SDK repeats the key).
    created = []
    for i in range(3):
        extra = {}
        if i == 2:
            extra = {"status_callback": "http://127.0.0.1:9/status", "status_callback_event": ["initiated", "ringing", "answered", "completed"]}
        call = client.calls.create(to=TO, from_=FROM, twiml=TWIML, **extra)
        check(re.fullmatch(r"CA[0-9a-f]{32}", call.sid or ""), f"create #{i + 1}: sid {call.sid!r}")
        check(call.status in LIVE, f"create #{i + 1}: status {call.status} not in {LIVE}")
        created.append(call.sid)
    check(len(set(created)) == 3, "create: three distinct SIDs")
    ok(f"create: 3 calls {' '.join(created)}")

    # Fetch one; the SDK parses the RFC 2822 dates itself.
    fetched = client.calls(created[0]).fetch()
    check(fetched.sid == created[0], "fetch: sid")
    check(fetched.account_sid == account_sid, "fetch: account_sid")
    check(fetched.status in LIVE, f"fetch: status {fetched.status} not in {LIVE}")
    check(fetched.to == TO and fetched.from_ == FROM, f"fetch: to {fetched.to} from {fetched.from_}")
    check(fetched.direction == "outbound-api", f"fetch: direction {fetched.direction}")
    check(fetched.api_version == "2010-04-01", f"fetch: api_version {fetched.api_version}")
    check(isinstance(fetched.date_created, datetime.datetime), f"fetch: date_created {fetched.date_created!r} is not a datetime")
    check(fetched.uri == f"/2010-04-01/Accounts/{account_sid}/Calls/{created[0]}.json", f"fetch: uri {fetched.uri}")
    ok(f"fetch: {fetched.sid} status={fetched.status} date_created={fetched.date_created.isoformat()}")

    # Two pages of two, then the SDK's own auto-paging.
    first = client.calls.page(page_size=2)
    page1 = [c.sid for c in first]
    check(len(page1) == 2, f"page 1: {len(page1)} calls, expected 2")
    check(first.next_page_url and first.next_page_url.startswith(f"{base_url}/2010-04-01/Accounts/{account_sid}/Calls.json?"),
          f"page 1: next page URL {first.next_page_url} is not on the local server")
    ok(f"page 1: {' '.join(page1)} next={first.next_page_url}")
    second = first.next_page()
    check(second is not None, "page 2: next_page() returned a page")
    page2 = [c.sid for c in second]
    check(len(page2) == 1, f"page 2: {len(page2)} calls, expected 1")
    check(second.next_page_url is None, "page 2: is the last page")
    check(sorted(page1 + page2) == sorted(created), "pages 1+2: every created SID exactly once")
    ok(f"page 2: {' '.join(page2)}; all 3 SIDs seen once")
    listed = [c.sid for c in client.calls.list(page_size=2, limit=3)]
    check(sorted(listed) == sorted(created), f"list(page_size=2, limit=3): {listed}")
    ok("list(page_size=2, limit=3): 3 calls across 2 pages")
    filtered = [c.sid for c in client.calls.list(to=TO, status="queued") + client.calls.list(to=TO, status="ringing")]
    check(sorted(filtered) == sorted(created), f"list(to=, status=): {filtered}")
    ok("list(to=..., status=queued|ringing): the 3 calls")

    # The create request is the call's first event.
    events = client.calls(created[0]).events.list()
    check(len(events) >= 1, "events: at least the create request")
    check(events[0].request["method"] == "POST" and events[0].request["url"].endswith("/Calls.json"),
          f"events: first request {events[0].request}")
    check(str(events[0].response["response_code"]) == "201", f"events: first response {events[0].response}")
    ok(f"events: {len(events)} event(s), the first the create request answered 201")

    # Cancel one, then delete it.
    target = created[1]
    canceled = client.calls(target).update(status="canceled")
    check(canceled.sid == target and canceled.status == "canceled", f"cancel: {canceled.sid} {canceled.status}")
    check(client.calls(target).fetch().status == "canceled", "cancel: fetched status")
    ok(f"cancel: {target} status=canceled")
    print(f"CANCELED {target}", flush=True)
    expect_error(lambda: client.calls(target).update(status="completed"), 21220, 400, "update a finished call")
    ok("update a finished call: TwilioRestException code=21220 status=400")
    live = created[0]
    expect_error(lambda: client.calls(live).delete(), 20009, 400, "delete a live call")
    ok("delete a live call: TwilioRestException code=20009 status=400")
    check(client.calls(target).delete() is True, "delete: the SDK reports success (204)")
    expect_error(lambda: client.calls(target).fetch(), 20404, 404, "fetch a deleted call")
    ok(f"delete: {target}; fetching it again: code=20404 status=404")
    print(f"DELETED {target}", flush=True)

    # Errors the server finds in what the SDK sends.
    expect_error(lambda: client.calls.create(to="", from_=FROM, twiml=TWIML), 21201, 400, "create with to=''")
    ok("create with to='': TwilioRestException code=21201 status=400")
    expect_error(lambda: client.calls.create(to=TO, from_=FROM), 21205, 400, "create without url or twiml")
    ok("create without url or twiml: TwilioRestException code=21205 status=400")
    expect_error(lambda: client.calls.create(to=TO, from_=FROM, twiml=TWIML, timeout=0), 21200, 400, "create with timeout=0")
    ok("create with timeout=0: TwilioRestException code=21200 status=400")
    wrong = Client(account_sid, "0" * 32)
    wrong.api.base_url = base_url
    expect_error(lambda: wrong.calls(live).fetch(), 20003, 401, "wrong auth token")
    ok("wrong auth token: TwilioRestException code=20003 status=401")

    print("smoke: all checks passed", flush=True)


if __name__ == "__main__":
    try:
        main()
    except Exception as e:  # any failure, with its cause, ends the run with 1
        print(f"FAIL: {type(e).__name__}: {e}", file=sys.stderr, flush=True)
        sys.exit(1)
