// Ports and paths that deploy/ manifests (Kubernetes probes, KServe) rely on; test/deploy.test.ts checks them.
export const DEFAULT_PORT = 8501;
export const DEFAULT_HOST = '127.0.0.1';
export const LIVENESS_PATH = '/v2/health/live';
export const READINESS_PATH = '/v2/health/ready';
export const METRICS_PATH = '/metrics';
