// The AI Resource dashboard: polls the starter's actuator endpoints and draws what they
// say. Plain JavaScript and inline SVG, no build step and no CDN, so the page works
// offline and its source is what the browser runs. Text from the server is only ever set
// with textContent, never parsed as HTML.
(function () {
  'use strict';

  var params = new URLSearchParams(window.location.search);
  var INTERVAL_MS = Math.max(500, Number(params.get('interval') || 3) * 1000);
  // Enough points for 30 minutes at the default interval; older ones drop off the chart.
  var MAX_POINTS = 600;
  var COLORS = ['#2563eb', '#dc2626', '#16a34a', '#9333ea', '#ea580c', '#0891b2', '#ca8a04'];

  // Per model, the successive cumulative totals seen: {model: [{t, tokens, cost}]}.
  var series = {};
  var polling = false;
  // A poll asked for while one runs (after a chat message) runs when it ends.
  var again = false;
  var lastPoll = null;

  function $(id) { return document.getElementById(id); }

  function el(tag, text, className) {
    var node = document.createElement(tag);
    if (text !== undefined && text !== null) { node.textContent = String(text); }
    if (className) { node.className = className; }
    return node;
  }

  function replace(container, children) {
    while (container.firstChild) { container.removeChild(container.firstChild); }
    children.forEach(function (child) { container.appendChild(child); });
  }

  function integer(n) { return (n === undefined || n === null) ? '–' : Number(n).toLocaleString('en-US'); }

  function usd(n) { return (n === undefined || n === null) ? '–' : '$' + Number(n).toFixed(6); }

  function percent(f) { return (f === undefined || f === null || isNaN(f)) ? '–' : (100 * f).toFixed(1) + ' %'; }

  // ISO-8601 durations as the endpoints write them (PT24H, PT1M) in short form.
  function duration(iso) {
    var m = /^PT(?:(\d+)H)?(?:(\d+)M)?(?:([\d.]+)S)?$/.exec(iso || '');
    if (!m) { return iso; }
    return [[m[1], 'h'], [m[2], 'min'], [m[3], 's']].filter(function (p) { return p[0]; })
      .map(function (p) { return p[0] + ' ' + p[1]; }).join(' ');
  }

  function mib(bytes) { return (bytes / (1024 * 1024)).toFixed(0) + ' MiB'; }

  // Resolves to the parsed JSON, or to null when the endpoint is not there (404: the
  // feature is off or not exposed), so that each panel can say "not enabled".
  function fetchJson(url) {
    return fetch(url, { headers: { Accept: 'application/json' } }).then(function (response) {
      if (response.status === 404) { return null; }
      // Health answers 503 with a body when a component is OUT_OF_SERVICE.
      if (!response.ok && response.status !== 503) { throw new Error(url + ': HTTP ' + response.status); }
      return response.json();
    });
  }

  function poll() {
    if (polling) { again = true; return Promise.resolve(); }
    polling = true;
    var urls = {
      usage: '/actuator/aiusage',
      budgets: '/actuator/aibudgets',
      limits: '/actuator/ailimits',
      caches: '/actuator/aicaches',
      alerts: '/actuator/aialerts',
      health: '/actuator/health',
      heapUsed: '/actuator/metrics/jvm.memory.used?tag=area:heap',
      heapMax: '/actuator/metrics/jvm.memory.max?tag=area:heap'
    };
    var names = Object.keys(urls);
    return Promise.all(names.map(function (name) {
      // One failing endpoint must not blank the others.
      return fetchJson(urls[name]).catch(function (error) { return { error: String(error) }; });
    })).then(function (results) {
      var data = {};
      names.forEach(function (name, i) { data[name] = results[i]; });
      return keyedLimits(data.limits).then(function (keyed) {
        data.keyed = keyed;
        render(data);
      });
    }).then(function () {
      $('status').textContent = 'updated ' + new Date().toLocaleTimeString();
      document.body.setAttribute('data-polls', String(Number(document.body.getAttribute('data-polls') || 0) + 1));
    }).catch(function (error) {
      $('status').textContent = 'error: ' + error;
    }).then(function () {
      polling = false;
      if (again) { again = false; poll(); }
    });
  }

  // The state of user- and tenant-scoped rate limits for the user and tenant in the chat
  // form: the overview lists only global buckets, the others are looked up by key.
  function keyedLimits(limits) {
    var list = (limits && limits.rateLimits && limits.rateLimits.limits) || [];
    var lookups = list.filter(function (limit) {
      return limit.keyLookup && (limit.scope === 'user' || limit.scope === 'tenant');
    });
    return Promise.all(lookups.map(function (limit) {
      var key = $(limit.scope === 'user' ? 'chat-user' : 'chat-tenant').value || 'anonymous';
      return fetchJson('/actuator/' + limit.keyLookup.replace('{key}', encodeURIComponent(key)))
        .catch(function () { return null; });
    })).then(function (states) {
      var keyed = {};
      lookups.forEach(function (limit, i) { keyed[limit.name] = states[i]; });
      return keyed;
    });
  }

  function render(data) {
    renderUsage(data.usage);
    renderCaches(data.caches);
    renderBudgets(data.budgets);
    renderLimits(data.limits, data.keyed || {});
    renderHeap(data.heapUsed, data.heapMax, data.health);
    renderAlerts(data.alerts);
  }

  function renderUsage(usage) {
    if (!usage || usage.error) {
      $('total-tokens').textContent = usage ? 'error' : 'not enabled';
      return;
    }
    var total = (usage.global && usage.global.total) || {};
    $('total-calls').textContent = integer(total.calls);
    $('total-tokens').textContent = integer(total.totalTokens);
    $('total-cost').textContent = usd(total.cost);
    $('total-failed').textContent = integer(total.failedCalls);
    var now = Date.now();
    var models = usage.models || {};
    Object.keys(models).forEach(function (model) {
      var t = models[model].total || {};
      var points = series[model];
      if (!points) {
        // A model first seen now had nothing at the previous poll: start its line at zero.
        points = series[model] = (lastPoll !== null) ? [{ t: lastPoll, tokens: 0, cost: 0 }] : [];
      }
      points.push({ t: now, tokens: Number(t.totalTokens || 0), cost: Number(t.cost || 0) });
      if (points.length > MAX_POINTS) { points.shift(); }
    });
    lastPoll = now;
    if (models['demo-model']) { $('demo-badge').hidden = false; }
    drawChart($('tokens-chart'), $('tokens-legend'), 'tokens', integer);
    drawChart($('cost-chart'), $('cost-legend'), 'cost', usd);
  }

  // A line per model of its cumulative total over the polls this page has seen.
  function drawChart(svg, legend, field, format) {
    var ns = 'http://www.w3.org/2000/svg';
    var width = 600, height = 180, pad = 6;
    var models = Object.keys(series).sort();
    var t0 = Infinity, t1 = -Infinity, max = 0;
    models.forEach(function (m) {
      series[m].forEach(function (p) {
        t0 = Math.min(t0, p.t); t1 = Math.max(t1, p.t); max = Math.max(max, p[field]);
      });
    });
    var shapes = [];
    var entries = [];
    models.forEach(function (model, i) {
      var color = COLORS[i % COLORS.length];
      var points = series[model];
      var coords = points.map(function (p) {
        var x = (t1 > t0) ? pad + (width - 2 * pad) * (p.t - t0) / (t1 - t0) : width - pad;
        var y = height - pad - ((max > 0) ? (height - 2 * pad) * p[field] / max : 0);
        return x.toFixed(1) + ',' + y.toFixed(1);
      });
      var line = document.createElementNS(ns, 'polyline');
      line.setAttribute('points', coords.join(' '));
      line.setAttribute('fill', 'none');
      line.setAttribute('stroke', color);
      line.setAttribute('stroke-width', '2');
      line.setAttribute('vector-effect', 'non-scaling-stroke');
      shapes.push(line);
      var entry = el('span');
      var swatch = el('i');
      swatch.style.background = color;
      entry.appendChild(swatch);
      entry.appendChild(document.createTextNode(model + ': ' + format(points[points.length - 1][field])));
      entries.push(entry);
    });
    if (entries.length && t1 > t0) {
      // In the legend rather than the SVG, which is stretched to the card's width.
      entries.push(el('span', 'top of the chart ' + format(max) + ', over the last '
        + Math.round((t1 - t0) / 1000) + ' s', 'muted'));
    }
    replace(svg, shapes);
    replace(legend, entries.length ? entries : [el('span', 'no calls yet', 'muted')]);
  }

  function renderCaches(caches) {
    var list = caches && caches.caches;
    $('cache-disabled').hidden = !!(list && list.length);
    if (!list || !list.length) { return; }
    var hits = 0, misses = 0, savedTokens = 0, savedCost = 0;
    list.forEach(function (c) {
      hits += c.hits || 0; misses += c.misses || 0;
      savedTokens += c.savedTokens || 0; savedCost += Number(c.savedCost || 0);
    });
    $('cache-hit-ratio').textContent = (hits + misses) ? percent(hits / (hits + misses)) : '–';
    $('cache-hits').textContent = integer(hits) + ' / ' + integer(misses);
    $('cache-saved-tokens').textContent = integer(savedTokens);
    $('cache-saved-cost').textContent = usd(savedCost);
  }

  function bar(fraction) {
    var outer = el('div', null, 'bar' + (fraction >= 1 ? ' over' : (fraction >= 0.8 ? ' warn' : '')));
    var fill = el('div', null, 'fill');
    fill.style.width = Math.min(100, 100 * fraction).toFixed(1) + '%';
    outer.appendChild(fill);
    return outer;
  }

  function renderBudgets(budgets) {
    var container = $('budgets');
    if (!budgets || budgets.error) {
      replace(container, [el('p', budgets ? 'error' : 'not enabled', 'muted')]);
      return;
    }
    var nodes = [];
    (budgets.limits || []).forEach(function (limit) {
      var keys = limit.keys || [];
      nodes.push(el('p', limit.name + ' (' + limit.scope + ', ' + duration(limit.period) + ')' + (keys.length ? '' : ': nothing used yet')));
      keys.forEach(function (key) {
        var used = key.usedTokens + (key.reservedTokens || 0);
        var max = key.maxTokens;
        var label = key.key + ': ' + integer(used) + (max ? ' / ' + integer(max) + ' tokens' : ' tokens')
          + (key.usedCost ? ', ' + usd(key.usedCost) : '');
        nodes.push(el('div', label));
        if (key.usedFraction !== undefined && key.usedFraction !== null) { nodes.push(bar(key.usedFraction)); }
      });
    });
    replace(container, nodes.length ? nodes : [el('p', 'no limits configured', 'muted')]);
  }

  function renderLimits(limits, keyed) {
    var container = $('rate-limits');
    if (!limits || limits.error) {
      replace(container, [el('p', limits ? 'error' : 'not enabled', 'muted')]);
      return;
    }
    var nodes = [];
    var rate = limits.rateLimits;
    if (rate && rate.limits) {
      rate.limits.forEach(function (limit) {
        var what = limit.requests ? limit.requests + ' requests' : integer(limit.tokens) + ' tokens';
        nodes.push(el('p', limit.name + ': ' + what + ' per ' + duration(limit.period) + ' (' + limit.scope + ')'));
        var state = limit.state || (keyed[limit.name] && keyed[limit.name].state) || [];
        var owner = limit.state ? '' : (keyed[limit.name] ? keyed[limit.name].key + ': ' : '');
        state.forEach(function (s) {
          nodes.push(el('div', owner + s.dimension + ' remaining ' + integer(s.remaining) + ' / ' + integer(s.capacity)));
          nodes.push(bar(1 - s.remainingFraction));
        });
      });
    }
    else {
      nodes.push(el('p', 'rate limits not enabled', 'muted'));
    }
    replace(container, nodes);
    var bulkhead = limits.concurrency;
    $('bulkhead-active').textContent = bulkhead ? bulkhead.active + ' / ' + bulkhead.max : 'not enabled';
    $('bulkhead-queued').textContent = bulkhead ? bulkhead.queued.total + ' / ' + bulkhead.maxQueue : '–';
    var rows = (limits.rejections || []).filter(function (r) { return r.count > 0; }).map(function (r) {
      var row = el('tr');
      row.appendChild(el('td', r.source + ' / ' + r.reason));
      row.appendChild(el('td', integer(r.count), 'num'));
      return row;
    });
    var table = el('table');
    rows.forEach(function (row) { table.appendChild(row); });
    replace($('rejections'), rows.length ? [el('p', 'Rejections'), table] : [el('p', 'no rejections', 'muted')]);
  }

  function measurement(metric) {
    var m = metric && metric.measurements && metric.measurements[0];
    return m ? m.value : null;
  }

  function renderHeap(usedMetric, maxMetric, health) {
    var used = measurement(usedMetric);
    var max = measurement(maxMetric);
    var barNode = $('heap-bar');
    if (used !== null && max) {
      var fraction = used / max;
      barNode.className = 'bar' + (fraction >= 0.9 ? ' over' : (fraction >= 0.75 ? ' warn' : ''));
      barNode.firstChild.style.width = (100 * fraction).toFixed(1) + '%';
      $('heap-text').textContent = mib(used) + ' of ' + mib(max) + ' (' + percent(fraction) + ')';
    }
    else if (used !== null) {
      $('heap-text').textContent = mib(used) + ' used';
    }
    var memory = health && health.components && health.components.aimemory;
    if (memory) {
      var details = memory.details || {};
      var parts = Object.keys(details).map(function (k) {
        var v = details[k];
        return k + '=' + ((typeof v === 'object') ? JSON.stringify(v) : v);
      });
      $('memory-health').textContent = 'aimemory: ' + memory.status + (parts.length ? ' (' + parts.join(', ') + ')' : '');
      $('memory-health').className = memory.status === 'UP' ? 'muted' : 'reply error';
    }
    else {
      $('memory-health').textContent = 'aimemory: not enabled';
    }
  }

  function renderAlerts(alerts) {
    var container = $('alerts');
    if (!alerts) { replace(container, [el('p', 'not enabled', 'muted')]); return; }
    if (alerts.error) { replace(container, [el('p', 'error', 'muted')]); return; }
    var nodes = (alerts.active || []).map(function (a) {
      var node = el('div', null, 'alert');
      node.appendChild(el('strong', a.rule));
      node.appendChild(document.createTextNode(': ' + (a.message || (a.value + ' over ' + a.threshold))
        + (a.since ? ' (since ' + new Date(a.since).toLocaleTimeString() + ')' : '')));
      return node;
    });
    (alerts.forecasts || []).forEach(function (f) {
      nodes.push(el('p', (f.message || JSON.stringify(f)), 'muted'));
    });
    replace(container, nodes.length ? nodes : [el('p', 'no active alerts', 'muted')]);
  }

  function sendChat(event) {
    event.preventDefault();
    var reply = $('chat-reply');
    var button = $('chat-send');
    var body = { message: $('chat-message').value, user: $('chat-user').value || null, tenant: $('chat-tenant').value || null };
    button.disabled = true;
    reply.className = 'reply';
    reply.textContent = '…';
    fetch('/api/chat', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
      body: JSON.stringify(body)
    }).then(function (response) {
      return response.json().then(function (json) { return { ok: response.ok, status: response.status, json: json }; });
    }).then(function (result) {
      if (result.ok) {
        var usage = result.json.usage;
        reply.textContent = result.json.reply + '\n— ' + (result.json.cache === 'hit-exact' ? 'from the cache, no tokens spent'
          : (usage ? integer(usage.promptTokens) + ' + ' + integer(usage.completionTokens) + ' tokens, ' + usd(result.json.cost) : ''));
        if (/^\[demo model\]/.test(result.json.reply)) { $('demo-badge').hidden = false; }
      }
      else {
        // Limits answer as RFC 9457 problem details (429 with Retry-After, 413, 503).
        reply.className = 'reply error';
        reply.textContent = result.status + ' ' + (result.json.title || '') + ': ' + (result.json.detail || '');
      }
    }).catch(function (error) {
      reply.className = 'reply error';
      reply.textContent = String(error);
    }).then(function () {
      button.disabled = false;
      // Show the effect at once rather than at the next tick.
      poll();
    });
  }

  $('interval').textContent = String(INTERVAL_MS / 1000);
  $('chat-form').addEventListener('submit', sendChat);
  poll();
  setInterval(poll, INTERVAL_MS);
})();
