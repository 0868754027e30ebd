// An open-loop load generator: sends requests at evenly spaced instants (autocannon's
// `overallRate` sends each second's budget as one burst, which measures saturation, not a
// steady 1,000 req/s). Latency is measured from the scheduled send time, so a stalled server
// is not hidden by the generator waiting for it (no coordinated omission).
import http from 'node:http';

/**
 * @param {{ url: string, rate: number, seconds: number, path: () => string, headers?: object }} o
 * @returns {Promise<{ sent: number, ok: number, errors: number, rps: number, p50: number, p99: number, max: number }>}
 */
export async function pacedLoad(o) {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 256 });
  const base = new URL(o.url);
  const total = Math.round(o.rate * o.seconds);
  const interval = 1000 / o.rate;
  const latencies = [];
  let ok = 0;
  let errors = 0;
  const start = performance.now();
  const inflight = [];
  for (let i = 0; i < total; i++) {
    const due = start + i * interval;
    const wait = due - performance.now();
    if (wait > 1) await new Promise((r) => setTimeout(r, wait));
    // Sent early (timer granularity) counts from the send, sent late from the due time.
    const t0 = Math.min(due, performance.now());
    inflight.push(
      request(agent, base, o.path(), o.headers).then(
        (status) => {
          latencies.push(performance.now() - t0);
          if (status >= 200 && status < 300) ok++;
          else errors++;
        },
        () => errors++,
      ),
    );
  }
  await Promise.all(inflight);
  const elapsed = (performance.now() - start) / 1000;
  agent.destroy();
  latencies.sort((a, b) => a - b);
  const pct = (p) => Math.round(latencies[Math.min(latencies.length - 1, Math.floor(latencies.length * p))] * 10) / 10;
  return {
    sent: total,
    ok,
    errors,
    rps: Math.round(total / elapsed),
    p50: pct(0.5),
    p99: pct(0.99),
    max: Math.round(latencies.at(-1)),
  };
}

function request(agent, base, path, headers = {}) {
  return new Promise((resolve, reject) => {
    const req = http.request({ agent, host: base.hostname, port: base.port, path, headers }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode));
    });
    req.on('error', reject);
    req.end();
  });
}
