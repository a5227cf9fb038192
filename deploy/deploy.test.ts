// The deployment files, checked without a Docker engine or a cluster:
// - compose.yaml through `docker-compose config` (Debian's docker-compose, which .ci/run installs, or Compose v2)
//   with .env.example's values, then its normalized output: services, start order, health checks, users, env,
//   the load balancer in front of both edges, Jaeger's ports. Without docker-compose the same assertions run on
//   the file as parsed and interpolated here (a structural check, no skip).
// - the Dockerfile's stages, and that the production dependencies suffice: every package the entry points
//   import at run time, through every module they reach, is a `dependencies` entry of package.json, and
//   .dockerignore keeps none of those modules out of the image.
// - the Kubernetes manifests, parsed: kinds, namespace, replicas, probes, security contexts, references.

import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { builtinModules } from 'node:module';
import { dirname, join, relative, resolve } from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import { parse, parseAllDocuments } from 'yaml';
import { parseConfig } from '../edge/config.ts';
import { parseEncryptionKey } from '../edge/secret-box.ts';

const DEPLOY = dirname(new URL(import.meta.url).pathname);
const ROOT = resolve(DEPLOY, '..');
const COMPOSE_FILE = join(DEPLOY, 'compose.yaml');
const ENV_EXAMPLE = join(DEPLOY, '.env.example');
const read = (path: string) => readFileSync(path, 'utf8');

type Service = {
  image?: string;
  build?: { context: string; dockerfile?: string; target?: string };
  command?: string[] | string;
  user?: string;
  restart?: string;
  environment?: Record<string, string | null>;
  depends_on?: Record<string, { condition: string }> | string[];
  healthcheck?: { test?: string[] | string; disable?: boolean };
  ports?: (string | { target: number | string; published?: number | string })[];
  volumes?: (string | { source?: string; target: string })[];
};
type Compose = { services: Record<string, Service> };

// ---------------------------------------------------------------------------------------------------------------
// compose.yaml, as docker-compose sees it

function findCompose(): string[] | undefined {
  for (const command of [['docker-compose'], ['docker', 'compose']]) {
    const probe = spawnSync(command[0]!, [...command.slice(1), 'version'], { encoding: 'utf8' });
    if (probe.status === 0) return command;
  }
  return undefined;
}
const COMPOSE = findCompose();
const VALIDATOR = COMPOSE
  ? `${COMPOSE.join(' ')} config`
  : 'a structural check: docker-compose is not installed';

/** `compose config` with only this env file (the caller's environment left out): its status and output. */
function composeConfig(envFile: string, ...args: string[]) {
  return spawnSync(
    COMPOSE![0]!,
    [...COMPOSE!.slice(1), '--env-file', envFile, '-f', COMPOSE_FILE, 'config', ...args],
    {
      encoding: 'utf8',
      env: Object.fromEntries(
        Object.entries(process.env).filter(([name]) => name === 'PATH' || name === 'HOME'),
      ),
    },
  );
}

function parseEnvFile(text: string): Record<string, string> {
  const env: Record<string, string> = {};
  for (const line of text.split('\n')) {
    const match = /^\s*([A-Za-z_][A-Za-z0-9_]*)=(.*)$/.exec(line);
    if (match) env[match[1]!] = match[2]!.trim();
  }
  return env;
}

/** Compose's interpolation (`$VAR`, `${VAR}`, `${VAR:-default}`, `${VAR-default}`, `${VAR:?error}`, `$$`). */
function interpolate(value: unknown, env: Record<string, string>): unknown {
  if (typeof value === 'string') {
    return value.replace(
      /\$\$|\$\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?[-?])([^}]*))?\}|\$([A-Za-z_][A-Za-z0-9_]*)/g,
      (all, name?: string, op?: string, arg?: string, bare?: string) => {
        if (all === '$$') return '$';
        if (bare !== undefined) return env[bare] ?? '';
        const set = env[name!];
        const empty = set === undefined || (op?.startsWith(':') === true && set === '');
        if (op?.endsWith('?') && empty) throw new Error(`required variable ${name} is missing: ${arg}`);
        if (op?.endsWith('-') && empty) return arg!;
        return set ?? '';
      },
    );
  }
  if (Array.isArray(value)) return value.map((item) => interpolate(item, env));
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, interpolate(v, env)]));
  }
  return value;
}

/** The configuration as docker-compose normalizes it, or (without docker-compose) parsed and interpolated here. */
function loadCompose(envFile: string): Compose {
  if (COMPOSE) {
    const result = composeConfig(envFile);
    if (result.status !== 0) throw new Error(`compose config failed: ${result.stderr}`);
    return parse(result.stdout, { merge: true }) as Compose;
  }
  const raw = parse(read(COMPOSE_FILE), { merge: true }) as Record<string, unknown>;
  const services = raw.services as Record<string, Service>;
  return { services: interpolate(services, parseEnvFile(read(envFile))) as Compose['services'] };
}

const EXAMPLE_ENV = parseEnvFile(read(ENV_EXAMPLE));
const config = loadCompose(ENV_EXAMPLE);
const services = config.services;
const service = (name: string): Service => {
  const found = services[name];
  if (!found) throw new Error(`no service ${name}`);
  return found;
};
const commandOf = (s: Service) => (Array.isArray(s.command) ? s.command.join(' ') : (s.command ?? ''));
const dependsOn = (s: Service): Record<string, string> =>
  Array.isArray(s.depends_on)
    ? Object.fromEntries(s.depends_on.map((name) => [name, 'service_started']))
    : Object.fromEntries(Object.entries(s.depends_on ?? {}).map(([name, d]) => [name, d.condition]));
const healthTest = (s: Service) =>
  Array.isArray(s.healthcheck?.test) ? s.healthcheck.test.join(' ') : (s.healthcheck?.test ?? '');
/** The container ports a service publishes on the host. */
const publishedPorts = (s: Service): number[] =>
  (s.ports ?? []).map((port) =>
    typeof port === 'string' ? Number(port.split('/')[0]!.split(':').at(-1)) : Number(port.target),
  );
const byCommand = (entry: string) =>
  Object.entries(services)
    .filter(([, s]) => commandOf(s) === `node ${entry}`)
    .map(([name]) => name);
const EDGES = byCommand('edge/main.ts');
const MATCHERS = byCommand('matcher/main.ts');

describe('deploy/compose.yaml', () => {
  it(`is a valid compose file with .env.example's values (${VALIDATOR})`, () => {
    if (COMPOSE) {
      const result = composeConfig(ENV_EXAMPLE, '-q');
      expect(result.stderr).toBe('');
      expect(result.status).toBe(0);
    } else {
      expect(JSON.stringify(services)).not.toMatch(/\$\{/);
    }
    expect(Object.keys(services).sort()).toEqual(
      ['edge-1', 'edge-2', 'jaeger', 'lb', 'matcher-1', 'matcher-2', 'migrate', 'postgres', 'redis'].sort(),
    );
  });

  it('refuses to start without the secrets, naming what is missing', () => {
    const envFile = join(mkdtempSync(join(tmpdir(), 'spot-deploy-')), '.env');
    writeFileSync(envFile, '# no variables\n');
    if (COMPOSE) {
      const result = composeConfig(envFile, '-q');
      expect(result.status).not.toBe(0);
      expect(result.stderr).toMatch(/set (POSTGRES_PASSWORD|ADMIN_TOKEN|API_SECRET_ENCRYPTION_KEY)/);
    } else {
      expect(() => loadCompose(envFile)).toThrow(/required variable/);
    }
    // .env.example names every required variable.
    const required = [...read(COMPOSE_FILE).matchAll(/\$\{([A-Z_]+):\?/g)].map((m) => m[1]!);
    expect(new Set(required)).toEqual(
      new Set(['POSTGRES_PASSWORD', 'ADMIN_TOKEN', 'API_SECRET_ENCRYPTION_KEY']),
    );
    for (const name of required) expect(EXAMPLE_ENV[name], name).toBeTruthy();
  });

  it('runs two edges and two matchers (an active one and a standby on the same shard)', () => {
    expect(EDGES.sort()).toEqual(['edge-1', 'edge-2']);
    expect(MATCHERS.sort()).toEqual(['matcher-1', 'matcher-2']);
    const shards = MATCHERS.map((name) => service(name).environment?.MATCHER_SHARD);
    expect(new Set(shards)).toEqual(new Set(['main']));
    for (const name of MATCHERS)
      expect(Number(service(name).environment?.MATCHER_LEASE_TTL_MS)).toBeGreaterThan(0);
  });

  it('gives every long-running service a health check; the one-shot migration is awaited instead', () => {
    for (const [name, s] of Object.entries(services)) {
      if (name === 'migrate') {
        expect(s.restart).toBe('no');
        continue;
      }
      expect(s.healthcheck?.disable, name).not.toBe(true);
      expect(healthTest(s), name).toMatch(/^CMD(-SHELL)? /);
    }
    expect(healthTest(service('postgres'))).toContain('pg_isready');
    expect(healthTest(service('redis'))).toContain('redis-cli ping');
    for (const name of EDGES) expect(healthTest(service(name))).toContain('/healthz');
    for (const name of MATCHERS) expect(healthTest(service(name))).toBe('CMD node deploy/matcher-health.ts');
    expect(existsSync(join(DEPLOY, 'matcher-health.ts'))).toBe(true);
  });

  it('starts in order: the migration once Postgres is healthy, edges and matchers after it', () => {
    expect(dependsOn(service('migrate'))).toEqual({ postgres: 'service_healthy' });
    expect(commandOf(service('migrate'))).toBe(''); // the migrate image's own command (the Dockerfile's CMD)
    expect(service('migrate').build?.target).toBe('migrate');
    for (const name of [...EDGES, ...MATCHERS]) {
      expect(dependsOn(service(name)), name).toMatchObject({
        migrate: 'service_completed_successfully',
        postgres: 'service_healthy',
        redis: 'service_healthy',
      });
    }
    expect(dependsOn(service('lb'))).toEqual({ 'edge-1': 'service_healthy', 'edge-2': 'service_healthy' });
  });

  it('configures edges and matchers for the split deployment, edges as the app itself parses it', () => {
    for (const name of [...EDGES, ...MATCHERS]) {
      const env = service(name).environment!;
      expect(env.DATABASE_URL, name).toMatch(/^postgres:\/\/spot:[^@]+@postgres:5432\/spot$/);
      expect(env.REDIS_URL, name).toBe('redis://redis:6379');
      expect(env.OTEL_EXPORTER_OTLP_ENDPOINT, name).toBe('http://jaeger:4318');
      expect(env.OTEL_METRICS_EXPORTER, name).toBe('none'); // Jaeger takes traces only
      expect(env.OTEL_SERVICE_NAME, name).toBe(EDGES.includes(name) ? 'spot-edge' : 'spot-matcher');
    }
    for (const name of EDGES) {
      const env = service(name).environment!;
      const parsed = parseConfig(env as Record<string, string>);
      if (typeof parsed === 'string') throw new Error(`${name}: ${parsed}`);
      expect(parsed.embedded).toBe(false);
      expect(parsed.TRUST_PROXY).toBe(true);
      expect(parsed.PORT).toBe(8080);
      expect(parseEncryptionKey(env.API_SECRET_ENCRYPTION_KEY!)).toHaveLength(32);
      // Every edge must decrypt what another stored and accept the same admin token.
      expect(env.API_SECRET_ENCRYPTION_KEY).toBe(service(EDGES[0]!).environment!.API_SECRET_ENCRYPTION_KEY);
      expect(env.ADMIN_TOKEN).toBe(service(EDGES[0]!).environment!.ADMIN_TOKEN);
    }
    for (const name of MATCHERS) {
      expect(service(name).environment?.ADMIN_TOKEN, name).toBeUndefined();
    }
  });

  it('puts HAProxy in front of both edges: routed by /readyz, X-Forwarded-For set by the balancer', () => {
    const lb = service('lb');
    expect(lb.image).toMatch(/^haproxy:\d/);
    const mount = (lb.volumes ?? []).map((v) => (typeof v === 'string' ? v : `${v.source}:${v.target}`));
    expect(mount.some((v) => /haproxy\.cfg:\/usr\/local\/etc\/haproxy\/haproxy\.cfg/.test(v))).toBe(true);
    expect(publishedPorts(lb)).toEqual([8080]);
    const cfg = read(join(DEPLOY, 'haproxy.cfg'));
    for (const name of EDGES) expect(cfg).toMatch(new RegExp(`^\\s*server ${name} ${name}:8080 check`, 'm'));
    expect(cfg).toMatch(/^\s*http-check send meth GET uri \/readyz$/m);
    expect(cfg).toMatch(/^\s*http-request set-header X-Forwarded-For %\[src\]$/m);
    expect(cfg).toMatch(/^\s*bind :8080$/m);
    expect(cfg).toMatch(/^\s*http-request deny .*if \{ path_beg \/metrics \}$/m);
    for (const name of EDGES) expect(service(name).environment?.TRUST_PROXY).toBe('true');
    // The edges are reached through the balancer only.
    for (const name of EDGES) expect(service(name).ports ?? []).toEqual([]);
  });

  it('runs the images it builds as a non-root user', () => {
    const built = Object.entries(services).filter(([, s]) => s.build !== undefined);
    expect(built.map(([name]) => name).sort()).toEqual([...EDGES, ...MATCHERS, 'migrate'].sort());
    for (const [name, s] of built) {
      expect(s.user, name).toBeDefined();
      expect(s.user, name).not.toMatch(/^(root|0)(:|$)/);
      expect(s.build?.dockerfile, name).toBe('deploy/Dockerfile');
      expect(resolve(DEPLOY, s.build!.context), name).toBe(ROOT);
    }
    expect(service('lb').user).toBe('haproxy');
  });

  it('runs Postgres 16+, Redis 7 and Jaeger v2 with OTLP on 4317 and 4318 and its UI on 16686', () => {
    expect(Number(/^postgres:(\d+)/.exec(service('postgres').image!)?.[1])).toBeGreaterThanOrEqual(16);
    expect(service('redis').image).toMatch(/^redis:7/);
    expect(service('jaeger').image).toMatch(/^jaegertracing\/jaeger:2\./);
    expect(publishedPorts(service('jaeger')).sort()).toEqual([16686, 4317, 4318].sort());
  });
});

// ---------------------------------------------------------------------------------------------------------------
// The Dockerfile, .dockerignore and the production dependencies

type Stage = { name: string; from: string; lines: string[] };
function stages(dockerfile: string): Stage[] {
  const joined = dockerfile.replace(/\\\n/g, ' ');
  const result: Stage[] = [];
  for (const line of joined.split('\n')) {
    const from = /^FROM\s+(\S+)(?:\s+AS\s+(\S+))?/i.exec(line);
    if (from) result.push({ from: from[1]!, name: from[2] ?? '', lines: [] });
    else if (/^[A-Z]+\s/.test(line)) result.at(-1)?.lines.push(line);
  }
  return result;
}

/** Every module the entry points reach through run-time imports (type-only imports are erased by Node). */
function runtimeGraph(entries: string[]): { files: Set<string>; packages: Set<string> } {
  const files = new Set<string>();
  const packages = new Set<string>();
  const queue = entries.map((entry) => join(ROOT, entry));
  while (queue.length > 0) {
    const file = queue.pop()!;
    if (files.has(file)) continue;
    files.add(file);
    const source = ts.createSourceFile(file, read(file), ts.ScriptTarget.ESNext, false, ts.ScriptKind.TS);
    const specifiers: string[] = [];
    const visit = (node: ts.Node) => {
      if (ts.isImportDeclaration(node) && !node.importClause?.isTypeOnly) {
        specifiers.push((node.moduleSpecifier as ts.StringLiteral).text);
      } else if (ts.isExportDeclaration(node) && !node.isTypeOnly && node.moduleSpecifier) {
        specifiers.push((node.moduleSpecifier as ts.StringLiteral).text);
      } else if (
        ts.isCallExpression(node) &&
        node.expression.kind === ts.SyntaxKind.ImportKeyword &&
        node.arguments[0] !== undefined &&
        ts.isStringLiteralLike(node.arguments[0])
      ) {
        specifiers.push(node.arguments[0].text);
      }
      ts.forEachChild(node, visit);
    };
    visit(source);
    for (const specifier of specifiers) {
      if (specifier.startsWith('.')) {
        queue.push(resolve(dirname(file), specifier));
      } else if (!specifier.startsWith('node:') && !builtinModules.includes(specifier)) {
        const parts = specifier.split('/');
        packages.add(specifier.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0]!);
      }
    }
  }
  return { files, packages };
}

/** Whether .dockerignore keeps `path` (relative to the root) out of the build context. */
function dockerIgnored(path: string, patterns: string[]): boolean {
  const toRegExp = (glob: string) =>
    new RegExp(
      `^${glob
        .replace(/^\/+/, '')
        .replace(/[.+^${}()|[\]\\]/g, '\\$&')
        .replace(/\*\*\//g, 'GLOBSTAR_SLASH')
        .replace(/\*\*/g, 'GLOBSTAR')
        .replace(/\*/g, '[^/]*')
        .replace(/\?/g, '[^/]')
        .replace(/GLOBSTAR_SLASH/g, '(?:.*/)?')
        .replace(/GLOBSTAR/g, '.*')}$`,
    );
  const segments = path.split('/');
  const candidates = segments.map((_, i) => segments.slice(0, i + 1).join('/'));
  let ignored = false;
  for (const pattern of patterns) {
    const negated = pattern.startsWith('!');
    const regExp = toRegExp(negated ? pattern.slice(1) : pattern);
    if (candidates.some((candidate) => regExp.test(candidate))) ignored = !negated;
  }
  return ignored;
}

describe('deploy/Dockerfile', () => {
  const dockerfile = read(join(DEPLOY, 'Dockerfile'));
  const all = stages(dockerfile);
  const stage = (name: string) => all.find((s) => s.name === name)!;
  const lastUser = (s: Stage) => s.lines.filter((l) => l.startsWith('USER ')).at(-1);

  it('builds in stages on Node 24: all dependencies, production ones, the migration job, the runtime', () => {
    expect(all.map((s) => s.name)).toEqual(['deps', 'prod-deps', 'migrate', 'runtime']);
    expect(dockerfile).toMatch(/^ARG NODE_IMAGE=node:24-bookworm-slim$/m);
    for (const s of all) expect(s.from).toBe('${NODE_IMAGE}');
    expect(stage('deps').lines.join('\n')).toMatch(/RUN npm ci (?!.*--omit)/);
    expect(stage('prod-deps').lines.join('\n')).toMatch(/RUN npm ci --omit=dev/);
    expect(stage('runtime').lines).toContain('COPY --from=prod-deps /app/node_modules ./node_modules');
    expect(stage('migrate').lines).toContain('COPY --from=deps /app/node_modules ./node_modules');
  });

  it('runs as a non-root user, with a default command that starts the exchange and a /healthz check', () => {
    for (const name of ['migrate', 'runtime']) {
      expect(lastUser(stage(name)), name).toMatch(/^USER (?!root|0\b)\S+/);
    }
    const runtime = stage('runtime').lines.join('\n');
    expect(runtime).toMatch(/^CMD \["node", "start\.ts"\]$/m);
    expect(runtime).toMatch(/^HEALTHCHECK .*CMD \["node", "-e", "fetch\(.*\/healthz/m);
    expect(stage('migrate').lines.join('\n')).toMatch(/^CMD \[.*"drizzle-kit", "migrate"\]$/m);
  });

  it('needs only production dependencies at run time (start.ts, edge/main.ts, matcher/main.ts, the health check)', () => {
    const pkg = JSON.parse(read(join(ROOT, 'package.json'))) as {
      dependencies: Record<string, string>;
      devDependencies: Record<string, string>;
    };
    const graph = runtimeGraph(['start.ts', 'edge/main.ts', 'matcher/main.ts', 'deploy/matcher-health.ts']);
    expect(graph.files.size).toBeGreaterThan(20);
    const missing = [...graph.packages].filter((name) => pkg.dependencies[name] === undefined);
    expect(missing).toEqual([]);
    expect(pkg.devDependencies['drizzle-kit']).toBeDefined(); // hence the migrate target built on `deps`

    // .dockerignore keeps every one of those modules (and the migrations) in the build context.
    const patterns = read(join(ROOT, '.dockerignore'))
      .split('\n')
      .map((line) => line.trim())
      .filter((line) => line !== '' && !line.startsWith('#'));
    for (const ignored of ['node_modules', 'data', '.git', 'coverage', '.env'])
      expect(patterns).toContain(ignored);
    const shipped = [
      ...graph.files,
      join(ROOT, 'db/migrations/0000_init.sql'),
      join(ROOT, 'drizzle.config.ts'),
    ];
    for (const file of shipped)
      expect(dockerIgnored(relative(ROOT, file), patterns), relative(ROOT, file)).toBe(false);
    expect(dockerIgnored('node_modules/pg/package.json', patterns)).toBe(true);
    expect(dockerIgnored('edge/app.test.ts', patterns)).toBe(true);
  });
});

// ---------------------------------------------------------------------------------------------------------------
// Kubernetes

type K8s = {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string> };
  spec?: any;
  data?: Record<string, string>;
  stringData?: Record<string, string>;
};

describe('deploy/k8s', () => {
  const dir = join(DEPLOY, 'k8s');
  const objects: K8s[] = readdirSync(dir)
    .filter((file) => file.endsWith('.yaml'))
    .sort()
    .flatMap((file) =>
      parseAllDocuments(read(join(dir, file))).map((doc) => {
        expect(doc.errors, file).toEqual([]);
        return doc.toJS() as K8s;
      }),
    );
  const find = (kind: string, name: string) => {
    const found = objects.find((o) => o.kind === kind && o.metadata.name === name);
    if (!found) throw new Error(`no ${kind} ${name}`);
    return found;
  };
  const podSpecs = () =>
    objects
      .filter((o) => o.kind === 'Deployment' || o.kind === 'Job')
      .map((o) => [`${o.kind}/${o.metadata.name}`, o.spec.template.spec] as const);

  it('holds the namespace, configuration, migration job, matcher and edge deployments, service and budgets', () => {
    expect(objects.map((o) => `${o.kind}/${o.metadata.name}`).sort()).toEqual(
      [
        'Namespace/spot-exchange',
        'ConfigMap/spot-config',
        'Secret/spot-secrets',
        'Job/spot-migrate',
        'Deployment/spot-matcher',
        'PodDisruptionBudget/spot-matcher',
        'Deployment/spot-edge',
        'Service/spot-edge',
        'PodDisruptionBudget/spot-edge',
      ].sort(),
    );
    for (const o of objects.filter((o) => o.kind !== 'Namespace')) {
      expect(o.metadata.namespace, `${o.kind}/${o.metadata.name}`).toBe('spot-exchange');
    }
    expect(find('Deployment', 'spot-edge').apiVersion).toBe('apps/v1');
    expect(find('PodDisruptionBudget', 'spot-edge').apiVersion).toBe('policy/v1');
    expect(find('Job', 'spot-migrate').apiVersion).toBe('batch/v1');
  });

  it('runs the migration as a job of the migrate image', () => {
    const job = find('Job', 'spot-migrate').spec;
    const [container] = job.template.spec.containers;
    expect(job.template.spec.restartPolicy).toMatch(/^(Never|OnFailure)$/);
    expect(container.command.join(' ')).toMatch(/drizzle-kit migrate$/);
    expect(container.image).toMatch(/^spot-exchange-migrate:/);
  });

  it('runs two matchers (active and standby), never both down by a rollout or a drain', () => {
    const matcher = find('Deployment', 'spot-matcher').spec;
    expect(matcher.replicas).toBe(2);
    expect(matcher.strategy.rollingUpdate.maxUnavailable).toBe(0);
    const [container] = matcher.template.spec.containers;
    expect(container.command).toEqual(['node', 'matcher/main.ts']);
    expect(container.env.find((e: any) => e.name === 'MATCHER_LEASE_TTL_MS')?.value).toBe('3000');
    expect(find('PodDisruptionBudget', 'spot-matcher').spec.maxUnavailable).toBe(1);
  });

  it('runs 2+ edges, ready on /readyz and alive on /healthz, behind a service and a budget', () => {
    const edge = find('Deployment', 'spot-edge').spec;
    expect(edge.replicas).toBeGreaterThanOrEqual(2);
    const [container] = edge.template.spec.containers;
    expect(container.command).toEqual(['node', 'edge/main.ts']);
    const port = container.ports.find((p: any) => p.name === 'http');
    expect(port.containerPort).toBe(8080);
    expect(container.readinessProbe.httpGet).toEqual({ path: '/readyz', port: 'http' });
    expect(container.livenessProbe.httpGet).toEqual({ path: '/healthz', port: 'http' });
    expect(container.env.find((e: any) => e.name === 'PORT')?.value).toBe('8080');

    const svc = find('Service', 'spot-edge').spec;
    expect(svc.selector).toEqual(edge.selector.matchLabels);
    expect(svc.ports[0].targetPort).toBe('http');
    const pdb = find('PodDisruptionBudget', 'spot-edge').spec;
    expect(pdb.selector.matchLabels).toEqual(edge.selector.matchLabels);
    expect(pdb.minAvailable).toBeLessThan(edge.replicas);
  });

  it('selects each deployment’s own pods', () => {
    for (const o of objects.filter((o) => o.kind === 'Deployment')) {
      expect(o.spec.template.metadata.labels).toMatchObject(o.spec.selector.matchLabels);
    }
    const edgeLabels = find('Deployment', 'spot-edge').spec.selector.matchLabels;
    const matcherLabels = find('Deployment', 'spot-matcher').spec.selector.matchLabels;
    expect(edgeLabels).not.toEqual(matcherLabels);
  });

  it('runs every container as non-root, read-only, without privileges, with resources', () => {
    for (const [name, pod] of podSpecs()) {
      expect(pod.securityContext.runAsNonRoot, name).toBe(true);
      expect(pod.securityContext.runAsUser, name).toBeGreaterThan(0);
      expect(pod.securityContext.seccompProfile.type, name).toBe('RuntimeDefault');
      expect(pod.automountServiceAccountToken, name).toBe(false);
      for (const container of pod.containers) {
        expect(container.securityContext, name).toEqual({
          allowPrivilegeEscalation: false,
          readOnlyRootFilesystem: true,
          capabilities: { drop: ['ALL'] },
        });
        expect(container.resources.requests.cpu, name).toBeDefined();
        expect(container.resources.requests.memory, name).toBeDefined();
        expect(container.resources.limits.memory, name).toBeDefined();
      }
    }
  });

  it('refers only to configuration that exists, and its placeholder secrets are refused at start', () => {
    const secret = find('Secret', 'spot-secrets').stringData!;
    const configMap = find('ConfigMap', 'spot-config').data!;
    for (const [name, pod] of podSpecs()) {
      for (const container of pod.containers) {
        for (const from of container.envFrom ?? []) {
          if (from.configMapRef) expect(from.configMapRef.name, name).toBe('spot-config');
          if (from.secretRef) expect(from.secretRef.name, name).toBe('spot-secrets');
        }
        for (const env of container.env ?? []) {
          const ref = env.valueFrom?.secretKeyRef;
          if (ref) expect(secret[ref.key], `${name} ${ref.key}`).toBeDefined();
        }
      }
    }
    // What an edge pod would get: the edge refuses to start until the placeholders are replaced.
    const edge = find('Deployment', 'spot-edge').spec.template.spec.containers[0];
    const env = {
      ...configMap,
      ...secret,
      ...Object.fromEntries(edge.env.map((e: any) => [e.name, e.value])),
    };
    expect(parseConfig(env)).toMatch(/ADMIN_TOKEN/);
    expect(() => parseEncryptionKey(secret.API_SECRET_ENCRYPTION_KEY!)).toThrow(/32-byte key/);
  });
});
