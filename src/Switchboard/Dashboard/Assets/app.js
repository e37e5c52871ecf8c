// Switchboard dashboard: plain JS, no build step. Live state comes from /dashboard/live (server-sent
// events, already coalesced per 250 ms by the server); figures from the Insights API; actions and
// call details from the 2010-04-01 API under the same credentials.
(function () {
  'use strict';
  const accountSid = document.body.dataset.accountSid;
  const api = '/2010-04-01/Accounts/' + accountSid;
  const liveStatuses = ['queued', 'initiated', 'ringing', 'in-progress'];
  const outcomeColors = { completed: '#16a34a', busy: '#f59e0b', 'no-answer': '#a855f7', failed: '#dc2626', canceled: '#64748b', 'in-flight': '#93c5fd' };
  // Rendering 10,000 rows four times a second would stall the page; the longest-waiting rows matter most.
  const maxRows = 500;

  const calls = new Map();
  let serverOffset = 0;
  let dirty = true;
  let selected = null;

  const $ = (id) => document.getElementById(id);
  const serverNow = () => Date.now() + serverOffset;
  const threshold = () => Math.max(1, Number($('threshold').value) || 20) * 1000;

  function formatAge(ms) {
    const s = Math.max(0, Math.floor(ms / 1000));
    if (s < 60) return s + 's';
    const m = Math.floor(s / 60);
    return m < 60 ? m + 'm ' + (s % 60) + 's' : Math.floor(m / 60) + 'h ' + (m % 60) + 'm';
  }

  function cell(row, text, cls) {
    const td = document.createElement('td');
    td.textContent = text;
    if (cls) td.className = cls;
    row.appendChild(td);
    return td;
  }

  // ---- live table ------------------------------------------------------------------------------
  function apply(message, replace) {
    serverOffset = message.now - Date.now();
    if (replace) calls.clear();
    for (const c of message.calls) {
      if (liveStatuses.includes(c.status)) calls.set(c.sid, c);
      else calls.delete(c.sid);
    }
    dirty = true;
  }

  function render() {
    const started = performance.now();
    const now = serverNow();
    const limit = threshold();
    const counts = { queued: 0, initiated: 0, ringing: 0, 'in-progress': 0 };
    let long = 0;
    const filter = $('filter').value.trim().toLowerCase();
    const rows = [];
    for (const c of calls.values()) {
      counts[c.status]++;
      const isLong = c.status === 'ringing' && now - c.since > limit;
      if (isLong) long++;
      if (!filter || c.sid.toLowerCase().includes(filter) || c.to.includes(filter) || c.from.includes(filter)) rows.push(c);
    }
    for (const s of liveStatuses) $('count-' + s).textContent = counts[s];
    $('count-long').textContent = long;
    rows.sort((a, b) => a.since - b.since);
    const body = document.createElement('tbody');
    body.id = 'live-rows';
    for (const c of rows.slice(0, maxRows)) {
      const tr = document.createElement('tr');
      tr.dataset.sid = c.sid;
      tr.dataset.status = c.status;
      if (c.status === 'ringing' && now - c.since > limit) tr.className = 'long-ringing';
      cell(tr, c.sid, 'sid');
      cell(tr, c.status, 'status status-' + c.status);
      cell(tr, formatAge(now - c.since), 'age');
      cell(tr, c.to);
      cell(tr, c.from);
      cell(tr, c.direction);
      cell(tr, c.parent ? 'child of ' + c.parent : 'parent');
      cell(tr, c.carrier || '–');
      body.appendChild(tr);
    }
    $('live-rows').replaceWith(body);
    $('shown').textContent = rows.length > maxRows ? 'showing ' + maxRows + ' of ' + rows.length + ' (longest in state first)' : rows.length + ' calls';
    dirty = false;
    // Visible in the browser's performance timeline (and read by the load test).
    performance.measure('dashboard-render', { start: started });
  }

  $('live-table').addEventListener('click', (e) => {
    const tr = e.target.closest('tr[data-sid]');
    if (tr) openCall(tr.dataset.sid);
  });
  $('filter').addEventListener('input', () => { dirty = true; });
  $('threshold').addEventListener('input', () => { dirty = true; });

  // Repaint at most every 250 ms when something changed, and every second for the time-in-state column.
  let lastPaint = 0;
  setInterval(() => {
    const t = Date.now();
    if (dirty || t - lastPaint >= 1000) {
      render();
      lastPaint = t;
    }
  }, 250);

  function connect() {
    const source = new EventSource('/dashboard/live');
    source.addEventListener('open', () => { $('connection').textContent = 'live'; $('connection').className = 'connection live'; });
    source.addEventListener('error', () => { $('connection').textContent = 'reconnecting…'; $('connection').className = 'connection'; });
    source.addEventListener('snapshot', (e) => apply(JSON.parse(e.data), true));
    source.addEventListener('changes', (e) => {
      const message = JSON.parse(e.data);
      apply(message, false);
      if (message.calls.some((c) => !liveStatuses.includes(c.status))) refreshFiguresSoon();
      if (selected && message.calls.some((c) => c.sid === selected)) loadCall(selected);
    });
    source.addEventListener('tick', (e) => { serverOffset = JSON.parse(e.data).now - Date.now(); });
  }

  // ---- figures and charts ----------------------------------------------------------------------
  function drawBars(canvas, labels, series) {
    const ctx = canvas.getContext('2d');
    const w = canvas.width, h = canvas.height, pad = 18;
    ctx.clearRect(0, 0, w, h);
    const totals = labels.map((_, i) => series.reduce((sum, s) => sum + (s.values[i] || 0), 0));
    const max = Math.max(1, ...totals);
    const bw = Math.min(40, Math.max(2, (w - pad) / Math.max(1, labels.length) - 2));
    ctx.font = '10px sans-serif';
    labels.forEach((label, i) => {
      let y = h - pad;
      const x = pad + i * (bw + 2);
      for (const s of series) {
        const v = s.values[i] || 0;
        const bh = (v / max) * (h - 2 * pad);
        ctx.fillStyle = s.color;
        ctx.fillRect(x, y - bh, bw, bh);
        y -= bh;
      }
      if (totals[i]) { ctx.fillStyle = '#1c2330'; ctx.fillText(String(totals[i]), x, y - 2); }
      if (labels.length <= 12 || i % Math.ceil(labels.length / 12) === 0) { ctx.fillStyle = '#6b7587'; ctx.fillText(label, x, h - 4); }
    });
  }

  function drawDistribution(canvas, d) {
    const labels = d.histogram.map((b) => (b.le === null ? '>' + d.histogram[d.histogram.length - 2].le : '≤' + b.le));
    drawBars(canvas, labels, [{ color: '#2463eb', values: d.histogram.map((b) => b.count) }]);
  }

  async function loadFigures() {
    const seconds = Number($('window').value);
    const params = new URLSearchParams();
    if (seconds > 0) params.set('StartTime', new Date(serverNow() - seconds * 1000).toISOString());
    try {
      const response = await fetch(api + '/Insights/Calls/Metrics.json?' + params);
      if (!response.ok) return;
      const m = await response.json();
      const finals = $('finals');
      finals.textContent = '';
      for (const [status, count] of Object.entries(m.by_status)) {
        const span = document.createElement('span');
        span.dataset.status = status;
        span.textContent = status + ' ' + count;
        finals.appendChild(span);
      }
      $('asr').textContent = m.answer_seizure_ratio === null ? '–' : (m.answer_seizure_ratio * 100).toFixed(1) + ' %';
      $('avg-duration').textContent = m.average_duration === null ? '–' : m.average_duration.toFixed(1) + ' s';
      const minutes = m.calls_per_minute;
      drawBars($('chart-per-minute'), minutes.map((x) => x.minute.substring(11, 16)),
        Object.entries(outcomeColors).map(([status, color]) => ({ color, values: minutes.map((x) => x[status] || 0) })));
      drawDistribution($('chart-pdd'), m.post_dial_delay);
      drawDistribution($('chart-tta'), m.time_to_answer);
      drawDistribution($('chart-callbacks'), m.callback_latency);
    } catch (e) {
      // The next poll tries again; the live table does not depend on it.
    }
  }
  $('window').addEventListener('change', loadFigures);

  // Calls that end change the figures: refresh them, at most once a second however many end.
  let figuresDue = null;
  function refreshFiguresSoon() {
    if (figuresDue === null) figuresDue = setTimeout(() => { figuresDue = null; loadFigures(); }, 1000);
  }

  // ---- one call --------------------------------------------------------------------------------
  // The live stream tells of status changes only; a call whose callbacks are still being delivered (an ended call's
  // last ones among them) is read again every second until none is pending, so their outcomes and requests show.
  let callDue = null;
  function reloadCallSoon(sid) {
    clearTimeout(callDue);
    callDue = setTimeout(() => { callDue = null; if (selected === sid) loadCall(sid); }, 1000);
  }

  async function loadCall(sid) {
    const [summaryResponse, eventsResponse] = await Promise.all([
      fetch(api + '/Insights/Calls/' + sid + '/Summary.json'),
      fetch(api + '/Calls/' + sid + '/Events.json?PageSize=100'),
    ]);
    if (selected !== sid) return;
    if (!summaryResponse.ok) {
      // A trunk call is stored (and so has details and API actions) only once it has ended.
      $('detail-summary').textContent = summaryResponse.status === 404
        ? 'No details while this call is up: a trunk call is stored when it ends.'
        : 'The call could not be loaded (' + summaryResponse.status + ').';
      for (const id of ['timeline', 'callbacks', 'events']) $(id).replaceChildren();
      for (const id of ['action-cancel', 'action-hangup', 'action-redirect', 'action-replay']) $(id).disabled = true;
      return;
    }
    const s = await summaryResponse.json();
    const events = eventsResponse.ok ? (await eventsResponse.json()).events : [];
    const p = s.properties;
    const dl = document.createElement('dl');
    dl.className = 'summary';
    for (const [k, v] of [['status', s.call_state], ['to', s.to.callee], ['from', s.from.caller], ['direction', p.direction],
      ['carrier', s.carrier], ['parent', s.parent_call_sid], ['disposition', p.disposition], ['disconnected by', p.disconnected_by],
      ['post-dial delay', p.pdd_ms === null ? null : p.pdd_ms + ' ms'], ['ring time', p.ring_time_ms === null ? null : p.ring_time_ms + ' ms'],
      ['SIP code', p.last_sip_response_num], ['duration', s.connect_duration === null ? null : s.connect_duration + ' s']]) {
      const dt = document.createElement('dt'); dt.textContent = k;
      const dd = document.createElement('dd'); dd.textContent = v === null || v === undefined ? '–' : String(v);
      dd.dataset.field = k;
      dl.append(dt, dd);
    }
    $('detail-summary').replaceChildren(dl);
    $('timeline').replaceChildren(...s.timeline.map((e) => {
      const li = document.createElement('li');
      li.dataset.status = e.status;
      li.textContent = e.timestamp + '  ' + e.status + (e.cause ? ' (' + e.cause + ')' : '');
      return li;
    }));
    $('callbacks').replaceChildren(...s.callbacks.map((c) => {
      const tr = document.createElement('tr');
      tr.dataset.status = c.call_status || '';
      tr.dataset.state = c.state;
      cell(tr, String(c.sequence_number)); cell(tr, c.call_status || ''); cell(tr, c.state); cell(tr, String(c.attempts));
      cell(tr, c.created_time); cell(tr, c.delivered_time || '–');
      return tr;
    }));
    $('events').replaceChildren(...events.map((e) => {
      const tr = document.createElement('tr');
      cell(tr, e.response.date_created || '');
      cell(tr, (e.request.method || '') + ' ' + (e.request.url || ''));
      cell(tr, e.response.response_code === null || e.response.response_code === undefined ? (e.response.error || '–') : String(e.response.response_code));
      return tr;
    }));
    const live = liveStatuses.includes(s.call_state);
    $('action-cancel').disabled = !(s.call_state === 'queued' || s.call_state === 'initiated' || s.call_state === 'ringing');
    $('action-hangup').disabled = !live;
    $('action-redirect').disabled = s.call_state !== 'in-progress';
    $('action-replay').disabled = s.callbacks.length === 0;
    if (s.callbacks.some((c) => c.state === 'pending')) reloadCallSoon(sid);
  }

  function openCall(sid) {
    selected = sid;
    $('detail-sid').textContent = sid;
    $('action-result').textContent = '';
    $('detail').hidden = false;
    loadCall(sid);
  }

  $('detail-close').addEventListener('click', () => { selected = null; $('detail').hidden = true; });

  async function update(form) {
    const response = await fetch(api + '/Calls/' + selected + '.json', {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams(form),
    });
    const body = await response.json();
    $('action-result').textContent = response.ok ? 'now ' + body.status : body.message;
    loadCall(selected);
  }
  $('action-cancel').addEventListener('click', () => update({ Status: 'canceled' }));
  $('action-hangup').addEventListener('click', () => update({ Status: 'completed' }));
  $('action-redirect').addEventListener('click', () => update({ Url: $('redirect-url').value }));
  // Redelivers every status callback of the call (signed afresh, same idempotency tokens, in order).
  $('action-replay').addEventListener('click', async () => {
    const response = await fetch(api + '/Calls/' + selected + '/Callbacks/Replay.json', { method: 'POST' });
    const body = await response.json();
    $('action-result').textContent = response.ok
      ? 'replayed ' + body.replayed + (body.already_pending ? ', ' + body.already_pending + ' already pending' : '')
      : body.message;
    loadCall(selected);
  });

  connect();
  // /dashboard#CA... opens that call's timeline, live or ended.
  if (/^#CA[0-9a-f]{32}$/.test(location.hash)) openCall(location.hash.substring(1));
  loadFigures();
  setInterval(loadFigures, 5000);
})();
