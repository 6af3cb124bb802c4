// deploy/ names ports, probe paths and server flags that only the server defines: this reads
// every manifest and the Dockerfile and checks them against src/serve/constants.ts, so a change
// on either side that the other does not follow fails here instead of in a cluster.
import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { parseAllDocuments } from 'yaml';
import { DEFAULT_PORT, LIVENESS_PATH, METRICS_PATH, READINESS_PATH } from '../src/serve/constants.js';

const deploy = resolve(import.meta.dirname, '..', 'deploy');
const t = suite('deploy');

// Just the fields read here; everything else in a manifest stays unknown.
interface Probe { httpGet?: { path?: string; port?: number | string } }
interface Container {
  name: string;
  args?: string[];
  env?: { name: string; value?: string }[];
  ports?: { name?: string; containerPort: number }[];
  livenessProbe?: Probe;
  readinessProbe?: Probe;
  startupProbe?: Probe;
  resources?: { requests?: { cpu?: string } };
  volumeMounts?: { name: string; mountPath: string }[];
  lifecycle?: { preStop?: { exec?: { command?: string[] } } };
}
interface PodSpec {
  containers: Container[];
  volumes?: { name: string }[];
  terminationGracePeriodSeconds?: number;
}
interface Manifest { apiVersion: string; kind: string; metadata: { name: string }; spec: Record<string, unknown> }

/** Every YAML document in `dir`, failing on any parse error. */
function manifests(dir: string): Manifest[] {
  return readdirSync(dir).filter((f) => f.endsWith('.yaml')).sort().flatMap((f) => {
    const docs = parseAllDocuments(readFileSync(join(dir, f), 'utf8'));
    const list = Array.isArray(docs) ? docs : [docs];
    return list.map((d) => {
      assert.equal(d.errors.map((e) => e.message), [], `${f} parses`);
      return d.toJS() as Manifest;
    });
  });
}

const k8s = manifests(join(deploy, 'kubernetes'));
const kserve = manifests(join(deploy, 'kserve'));
const only = (ms: Manifest[], kind: string): Manifest => {
  const found = ms.filter((m) => m.kind === kind);
  assert.is(found.length, 1, `one ${kind}`);
  return found[0]!;
};
const deployment = only(k8s, 'Deployment');
const pod = (deployment.spec.template as { spec: PodSpec }).spec;
const server = pod.containers[0]!;

/** The value after `flag` in an argument list (undefined when absent). */
function flag(args: readonly string[], name: string): string | undefined {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
}

/** A probe's or Service's port as a number: named ports are looked up in the container. */
function portNumber(port: number | string | undefined, c: Container): number | undefined {
  return typeof port === 'string' ? c.ports?.find((p) => p.name === port)?.containerPort : port;
}

function assertProbes(c: Container, where: string): void {
  assert.is(c.livenessProbe?.httpGet?.path, LIVENESS_PATH, `${where} liveness path`);
  assert.is(c.readinessProbe?.httpGet?.path, READINESS_PATH, `${where} readiness path`);
  assert.is(portNumber(c.livenessProbe?.httpGet?.port, c), DEFAULT_PORT, `${where} liveness port`);
  assert.is(portNumber(c.readinessProbe?.httpGet?.port, c), DEFAULT_PORT, `${where} readiness port`);
}

function assertServerArgs(args: readonly string[] | undefined, where: string): void {
  assert.ok(args, `${where} passes arguments`);
  assert.ok(flag(args!, '--model-base-path')?.startsWith('/'), `${where}: --model-base-path with an absolute directory, got ${args!.join(' ')}`);
  // The default host, 127.0.0.1, would accept no connection from outside the container.
  assert.is(flag(args!, '--host'), '0.0.0.0', `${where} --host`);
  assert.is(Number(flag(args!, '--port')), DEFAULT_PORT, `${where} --port`);
}

/** Dockerfile instructions (continuation lines joined, comments dropped) as [keyword, rest]. */
function dockerfile(): [string, string][] {
  const text = readFileSync(join(deploy, 'Dockerfile'), 'utf8')
    .split('\n').filter((l) => !l.trimStart().startsWith('#')).join('\n').replace(/\\\n/g, ' ');
  return text.split('\n').filter((l) => l.trim()).map((l) => {
    const m = /^\s*(\S+)\s+(.*)$/.exec(l)!;
    return [m[1]!.toUpperCase(), m[2]!.trim()];
  });
}
const instructions = dockerfile();
const instruction = (key: string): string[] => instructions.filter(([k]) => k === key).map(([, v]) => v);

t('every manifest has the kind and apiVersion its controller serves', () => {
  const expected: Record<string, string> = {
    Deployment: 'apps/v1', Service: 'v1', HorizontalPodAutoscaler: 'autoscaling/v2', InferenceService: 'serving.kserve.io/v1beta1',
  };
  for (const m of [...k8s, ...kserve]) assert.is(m.apiVersion, expected[m.kind], `${m.kind} ${m.metadata?.name}`);
  assert.equal(k8s.map((m) => m.kind).sort(), ['Deployment', 'HorizontalPodAutoscaler', 'Service']);
  assert.equal(kserve.map((m) => m.kind), ['InferenceService']);
});

t('the Deployment exposes the server port as http and probes the health endpoints', () => {
  assert.ok((deployment.spec.replicas as number) >= 2, 'more than one replica');
  assert.equal(server.ports, [{ name: 'http', containerPort: DEFAULT_PORT, protocol: 'TCP' }]);
  assertProbes(server, 'Deployment');
  assert.is(server.startupProbe?.httpGet?.path, LIVENESS_PATH, 'startup probe path');
  assert.ok(server.resources?.requests?.cpu, 'a CPU request, which the autoscaler measures utilisation against');
  const annotations = (deployment.spec.template as { metadata: { annotations: Record<string, string> } }).metadata.annotations;
  assert.is(annotations['prometheus.io/path'], METRICS_PATH);
  assert.is(Number(annotations['prometheus.io/port']), DEFAULT_PORT);
});

t('the Deployment runs the image with its own arguments and mounts the model directory there', () => {
  assertServerArgs(server.args, 'Deployment');
  const base = flag(server.args!, '--model-base-path');
  const mount = server.volumeMounts?.find((v) => v.mountPath === base);
  assert.ok(mount, `a volume mounted at ${base}`);
  assert.ok(pod.volumes?.some((v) => v.name === mount!.name), `volume ${mount!.name} is defined`);
  const cmd = instruction('CMD').at(-1);
  assert.equal(server.args, JSON.parse(cmd!), 'the same arguments as the image');
});

t('shutdown has time to finish in-flight requests after the preStop pause', () => {
  const pause = Number(server.lifecycle?.preStop?.exec?.command?.at(-1));
  assert.ok(pause > 0, 'a preStop pause while endpoints are removed');
  assert.ok((pod.terminationGracePeriodSeconds ?? 30) >= pause + 30, `grace period ${pod.terminationGracePeriodSeconds} s`);
});

t('the Service sends its port to the container port the server listens on', () => {
  const service = only(k8s, 'Service');
  const ports = service.spec.ports as { port: number; targetPort: number | string }[];
  assert.is(ports.length, 1);
  assert.is(ports[0]!.port, DEFAULT_PORT);
  assert.is(portNumber(ports[0]!.targetPort, server), DEFAULT_PORT, 'targetPort');
  const labels = (deployment.spec.template as { metadata: { labels: Record<string, string> } }).metadata.labels;
  for (const [k, v] of Object.entries(service.spec.selector as Record<string, string>)) assert.is(labels[k], v, `selector ${k}`);
});

t('the autoscaler scales the Deployment on CPU utilisation', () => {
  const hpa = only(k8s, 'HorizontalPodAutoscaler');
  const spec = hpa.spec as {
    scaleTargetRef: { apiVersion: string; kind: string; name: string };
    minReplicas: number; maxReplicas: number;
    metrics: { type: string; resource?: { name: string; target: { type: string; averageUtilization?: number } } }[];
  };
  assert.equal(spec.scaleTargetRef, { apiVersion: 'apps/v1', kind: 'Deployment', name: deployment.metadata.name });
  assert.ok(spec.minReplicas >= 1 && spec.minReplicas <= spec.maxReplicas, `${spec.minReplicas}..${spec.maxReplicas}`);
  const cpu = spec.metrics.find((m) => m.type === 'Resource' && m.resource?.name === 'cpu');
  assert.is(cpu?.resource?.target.type, 'Utilization');
  assert.ok((cpu?.resource?.target.averageUtilization ?? 0) > 0, 'a utilisation target');
});

t('the InferenceService runs the image as a custom v2 predictor on the server port', () => {
  const isvc = only(kserve, 'InferenceService');
  const predictor = isvc.spec.predictor as PodSpec;
  const c = predictor.containers.find((x) => x.name === 'kserve-container');
  assert.ok(c, 'the predictor container is named kserve-container');
  assert.is(c!.env?.find((e) => e.name === 'PROTOCOL')?.value, 'v2', 'PROTOCOL=v2');
  assert.equal(c!.ports?.map((p) => p.containerPort), [DEFAULT_PORT]);
  assertServerArgs(c!.args, 'InferenceService');
  // KServe's storage initializer puts STORAGE_URI's models at /mnt/models.
  if (c!.env?.some((e) => e.name === 'STORAGE_URI')) assert.is(flag(c!.args!, '--model-base-path'), '/mnt/models');
  assertProbes(c!, 'InferenceService');
});

t('the Dockerfile builds on Debian Node 20+, installs lavapipe and runs the server unprivileged', () => {
  const from = instruction('FROM');
  assert.is(from.length, 1);
  const m = /^node:(\d+)-(bookworm)(-slim)?$/.exec(from[0]!);
  assert.ok(m && Number(m[1]) >= 20, `a Debian bookworm Node 20+ image (install-software-vulkan.sh targets bookworm), got ${from[0]}`);
  const runs = instruction('RUN').join('\n');
  assert.ok(runs.includes('npm ci'), 'npm ci');
  assert.ok(runs.includes('install-software-vulkan.sh'), 'the project script installs lavapipe');
  const user = instruction('USER').at(-1);
  assert.ok(user && !['root', '0'].includes(user), `a non-root user, got ${user}`);
});

t('the Dockerfile exposes, health-checks and serves the server port', () => {
  assert.equal(instruction('EXPOSE'), [String(DEFAULT_PORT)]);
  const health = instruction('HEALTHCHECK');
  assert.is(health.length, 1);
  assert.ok(health[0]!.includes(`http://127.0.0.1:${DEFAULT_PORT}${LIVENESS_PATH}`), health[0]);
  const entrypoint = JSON.parse(instruction('ENTRYPOINT').at(-1)!) as string[];
  assert.equal(entrypoint, ['dawngrad', 'serve']);
  const args = JSON.parse(instruction('CMD').at(-1)!) as string[];
  assertServerArgs(args, 'Dockerfile CMD');
  assert.is(flag(args, '--model-base-path'), '/models');
});

t.run();
