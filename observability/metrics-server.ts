// A process without an HTTP server of its own (the matcher) serves its metrics here: GET /metrics, Prometheus
// text, on a port of its own.

import { createServer, type Server } from 'node:http';
import { PROMETHEUS_CONTENT_TYPE, type Telemetry } from './sdk.ts';

export interface MetricsServer {
  port: number;
  close(): Promise<void>;
}

export function serveMetrics(telemetry: Telemetry, port: number, host = '0.0.0.0'): Promise<MetricsServer> {
  const server: Server = createServer((req, res) => {
    if (req.method !== 'GET' || req.url?.split('?')[0] !== '/metrics') {
      res.writeHead(404).end();
      return;
    }
    telemetry.metricsText().then(
      (text) => res.writeHead(200, { 'content-type': PROMETHEUS_CONTENT_TYPE }).end(text),
      (error: Error) => res.writeHead(500).end(`# ${error.message}\n`),
    );
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.removeListener('error', reject);
      const address = server.address();
      resolve({
        port: typeof address === 'object' && address !== null ? address.port : port,
        close: () => new Promise((done) => server.close(() => done())),
      });
    });
  });
}
