/**
 * The dashboard's HTML: a token prompt, the window and stream it reads (also in the URL:
 * `?window=6h&stream=<id>`), the headline figures, five charts and a per-stream table.
 */
export const DASHBOARD_HTML = `<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <title>Meshcast — operator dashboard</title>
  <link rel="stylesheet" href="/dashboard/uPlot.min.css">
  <style>
    body { font: 14px/1.4 system-ui, sans-serif; margin: 0; background: #f8fafc; color: #0f172a; }
    header { display: flex; align-items: baseline; gap: 1rem; padding: .8rem 1.5rem; background: #0f172a; color: #f8fafc; }
    header h1 { font-size: 1.1rem; margin: 0; }
    header span { color: #94a3b8; font-size: .85rem; }
    main { padding: 1rem 1.5rem; max-width: 1400px; }
    .cards { display: grid; grid-template-columns: repeat(auto-fit, minmax(150px, 1fr)); gap: .8rem; margin-bottom: 1rem; }
    .card { background: #fff; border: 1px solid #e2e8f0; border-radius: 6px; padding: .7rem .9rem; }
    .card .label { color: #64748b; font-size: .8rem; }
    .card .value { font-size: 1.6rem; font-weight: 600; font-variant-numeric: tabular-nums; }
    .card.headline .value { color: #15803d; font-size: 2.2rem; }
    .charts { display: grid; grid-template-columns: repeat(auto-fit, minmax(420px, 1fr)); gap: .8rem; }
    .charts > div { background: #fff; border: 1px solid #e2e8f0; border-radius: 6px; padding: .4rem; min-height: 250px; }
    table { border-collapse: collapse; width: 100%; margin-top: 1rem; background: #fff; }
    th, td { text-align: right; padding: .35rem .6rem; border-bottom: 1px solid #e2e8f0; font-variant-numeric: tabular-nums; }
    th:first-child, td:first-child { text-align: left; word-break: break-all; }
    #token-form { max-width: 26rem; margin: 4rem auto; background: #fff; padding: 1.5rem; border: 1px solid #e2e8f0; border-radius: 6px; }
    #token-form input { width: 100%; padding: .4rem; margin: .5rem 0; box-sizing: border-box; }
    .error { color: #b91c1c; }
    #filters { display: flex; gap: .5rem; align-items: center; margin-bottom: .8rem; }
    #filters select { padding: .25rem; max-width: 40rem; }
    #streams tr { cursor: pointer; }
    #streams tr.selected { background: #ecfdf5; }
  </style>
</head>
<body>
  <header><h1>Meshcast</h1><span>CDN offload and viewer experience</span><span id="scope"></span><span id="updated"></span></header>
  <form id="token-form">
    <label for="token">Operator token</label>
    <input id="token" type="password" autocomplete="current-password" required>
    <button type="submit">Open dashboard</button>
    <p id="token-error" class="error" role="alert"></p>
  </form>
  <main id="board" hidden>
    <form id="filters">
      <label for="window">Window</label>
      <select id="window">
        <option value="15m">last 15 minutes</option>
        <option value="1h" selected>last hour</option>
        <option value="6h">last 6 hours</option>
        <option value="24h">last 24 hours</option>
        <option value="7d">last 7 days</option>
      </select>
      <label for="stream">Stream</label>
      <select id="stream"><option value="">all streams</option></select>
    </form>
    <section class="cards">
      <div class="card headline"><div class="label">P2P offload</div><div class="value" id="offload">–</div></div>
      <div class="card"><div class="label">CDN bytes saved</div><div class="value" id="saved">–</div></div>
      <div class="card"><div class="label">Uploaded by viewers</div><div class="value" id="uploaded">–</div></div>
      <div class="card"><div class="label">CDN bytes sent</div><div class="value" id="http">–</div></div>
      <div class="card"><div class="label">Viewers now</div><div class="value" id="viewers">–</div></div>
      <div class="card"><div class="label">Start time median / p95</div><div class="value" id="startup">–</div></div>
      <div class="card"><div class="label">Rebuffering ratio</div><div class="value" id="rebuffer">–</div></div>
      <div class="card"><div class="label">Integrity failures</div><div class="value" id="integrity">–</div></div>
    </section>
    <section class="charts">
      <div id="chart-offload"></div>
      <div id="chart-throughput"></div>
      <div id="chart-viewers"></div>
      <div id="chart-rebuffer"></div>
      <div id="chart-startup"></div>
    </section>
    <table>
      <thead><tr><th>Stream</th><th>Offload</th><th>CDN saved</th><th>CDN sent</th><th>Uploaded</th><th>Viewers</th><th>Start time</th><th>Rebuffering</th><th>Integrity failures</th></tr></thead>
      <tbody id="streams"></tbody>
    </table>
    <p id="error" class="error" role="alert"></p>
  </main>
  <script src="/dashboard/dashboard.js"></script>
</body>
</html>
`;
