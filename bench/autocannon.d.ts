// The part of autocannon's API that bench/loadtest.ts uses (the package ships no types).
declare module 'autocannon' {
  interface Options {
    url: string;
    connections: number;
    amount: number;
    method: 'POST' | 'GET';
    headers?: Record<string, string>;
    body?: string;
    timeout?: number;
  }
  interface Histogram {
    average: number;
    p50: number;
    p99: number;
  }
  interface Result {
    duration: number;
    latency: Histogram;
    requests: Histogram & { total: number };
    errors: number;
    timeouts: number;
    non2xx: number;
  }
  function autocannon(options: Options): Promise<Result>;
  export default autocannon;
}
