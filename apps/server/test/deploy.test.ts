/**
 * Docker does not run on our machines, so the container and Kubernetes files are checked
 * statically here, against the code they deploy: every env var must be one the server's
 * ConfigSchema (or the CLI / backup library) reads and must pass its validation, ports and
 * probes must match the server's config and routes, and commands must be real CLI commands.
 */
import { spawnSync } from "node:child_process";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { basename, dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { KeyAuthenticator } from "@stockroom/api";
import { assertSchedule, BACKUP_ENV_VARIABLES } from "@stockroom/db/backup";
import { createTestDatabase } from "@stockroom/db/testing";
import pino from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parse, parseAllDocuments } from "yaml";
import { createApp } from "../src/app";
import { CONFIG_VARIABLES, ConfigSchema, loadConfig } from "../src/config";
import { privateClusterUnavailableReason } from "../src/pg-cluster";

if (privateClusterUnavailableReason())
  console.warn(
    `[stockroom tests] SKIPPING the run of the compose replica scripts: ${privateClusterUnavailableReason()}`,
  );

const ROOT = fileURLToPath(new URL("../../../", import.meta.url));
const read = (path: string) => readFileSync(join(ROOT, path), "utf8");

// ---------------------------------------------------------------------------------------
// Which environment variables exist, and who reads them.

/** Every `env.X` / `process.env.X` in a source tree. */
function envReadIn(dir: string): Set<string> {
  const found = new Set<string>();
  const walk = (d: string) => {
    for (const entry of readdirSync(d, { withFileTypes: true })) {
      const path = join(d, entry.name);
      if (entry.isDirectory()) {
        if (entry.name !== "node_modules") walk(path);
      } else if (entry.name.endsWith(".ts") && !entry.name.endsWith(".test.ts")) {
        for (const m of readFileSync(path, "utf8").matchAll(/\benv(?:\.|\[")([A-Z][A-Z0-9_]+)/g))
          found.add(m[1]!);
      }
    }
  };
  walk(join(ROOT, dir));
  return found;
}

const CLI_ENV = envReadIn("packages/cli/src");
/** Read by libraries rather than our code; each with the reason it is set. */
const LIBRARY_ENV = new Set([
  "NODE_ENV", // production: trpc-to-openapi and others drop debug output
]);
/** The variables a container running our image may be given. */
const APP_ENV = new Set<string>([...CONFIG_VARIABLES, ...BACKUP_ENV_VARIABLES, ...CLI_ENV, ...LIBRARY_ENV]);
/** The test container: whatever turbo passes to tasks (turbo strips everything else). */
const TURBO_ENV: string[] = (JSON.parse(read("turbo.json")) as { globalEnv: string[] }).globalEnv;
const testEnvKnown = (name: string) =>
  APP_ENV.has(name) ||
  ["TURBO_TELEMETRY_DISABLED", "DO_NOT_TRACK"].includes(name) ||
  TURBO_ENV.some((g) => (g.endsWith("*") ? name.startsWith(g.slice(0, -1)) : g === name));
/** Documented by the official images we use. */
const POSTGRES_IMAGE_ENV = new Set([
  "POSTGRES_USER",
  "POSTGRES_PASSWORD",
  "POSTGRES_DB",
  "PGDATA",
  "POSTGRES_INITDB_ARGS",
]);

/** Our scripts run inside the postgres image (deploy/postgres); what they read besides the image's variables. */
const POSTGRES_SCRIPTS = ["deploy/postgres/primary-replication.sh", "deploy/postgres/replica-entrypoint.sh"];
const POSTGRES_SCRIPT_ENV = new Set(
  POSTGRES_SCRIPTS.flatMap((f) => [...read(f).matchAll(/\$\{?([A-Z][A-Z0-9_]+)/g)].map((m) => m[1]!)),
);

const DEFAULT_PORT = ConfigSchema.parse({}).PORT;

// ---------------------------------------------------------------------------------------
// docker compose, with .env.example standing in for .env.

function parseDotenv(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of text.split("\n")) {
    const m = /^([A-Z][A-Z0-9_]*)=(.*)$/.exec(line.trim());
    if (m) out[m[1]!] = m[2]!;
  }
  return out;
}

const ENV_EXAMPLE = parseDotenv(read(".env.example"));

interface Interpolation {
  name: string;
  op: "" | ":-" | "-" | ":?" | "?";
  arg: string;
}

const INTERPOLATION = /\$\{([A-Z][A-Z0-9_]*)(?:(:-|-|:\?|\?)([^}]*))?\}/g;

function interpolations(text: string): Interpolation[] {
  return [...text.replaceAll("$$", "").matchAll(INTERPOLATION)].map((m) => ({
    name: m[1]!,
    op: (m[2] ?? "") as Interpolation["op"],
    arg: m[3] ?? "",
  }));
}

/** Compose's interpolation rules, over a set of variables. */
function interpolate(value: string, vars: Record<string, string>): string {
  return value
    .replace(INTERPOLATION, (_, name: string, op: string | undefined, arg: string | undefined) => {
      const v = vars[name];
      if (op === ":-") return v ? v : (arg ?? "");
      if (op === "-") return v ?? arg ?? "";
      if (op === ":?" || op === "?") {
        if (v === undefined || (op === ":?" && v === "")) throw new Error(`${name} is required: ${arg}`);
        return v;
      }
      return v ?? "";
    })
    .replaceAll("$$", "$");
}

function resolveDeep<T>(value: T, vars: Record<string, string>): T {
  if (typeof value === "string") return interpolate(value, vars) as T;
  if (Array.isArray(value)) return value.map((v) => resolveDeep(v, vars)) as T;
  if (value && typeof value === "object")
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, resolveDeep(v, vars)])) as T;
  return value;
}

interface ComposeService {
  image?: string;
  build?: { context: string; dockerfile?: string; target?: string };
  command?: string[] | string;
  environment?: Record<string, string>;
  ports?: string[];
  volumes?: string[];
  depends_on?: Record<string, { condition: string }>;
  healthcheck?: { test?: string[] | string; disable?: boolean };
  profiles?: string[];
  restart?: string;
  working_dir?: string;
}

const COMPOSE_TEXT = read("docker-compose.yml");
const COMPOSE = resolveDeep(
  parse(COMPOSE_TEXT, { merge: true }) as {
    services: Record<string, ComposeService>;
    volumes: Record<string, unknown>;
  },
  ENV_EXAMPLE,
);
const services = COMPOSE.services;
const usesOurImage = (s: ComposeService) =>
  s.build?.dockerfile === "Dockerfile" && (s.build.target ?? "runtime") === "runtime";
const APP_SERVICES = Object.entries(services).filter(([, s]) => usesOurImage(s));
const commandOf = (s: ComposeService) =>
  Array.isArray(s.command) ? s.command : (s.command ?? "").split(/\s+/);
const healthUrl = (test: string[] | string | undefined) =>
  /https?:\/\/[\w.-]+:(\d+)(\/[\w/-]*)/.exec(JSON.stringify(test ?? ""));

// ---------------------------------------------------------------------------------------
// Dockerfile

interface Stage {
  name: string;
  from: string;
  instructions: Array<{ op: string; args: string }>;
}

function parseDockerfile(text: string): Stage[] {
  const joined = text.replace(/\\\n/g, " ");
  const stages: Stage[] = [];
  for (const raw of joined.split("\n")) {
    const line = raw.trim();
    if (!line || line.startsWith("#")) continue;
    const [op, ...rest] = line.split(/\s+/);
    const args = rest.join(" ");
    if (op!.toUpperCase() === "FROM") {
      const m = /^(\S+)(?:\s+AS\s+(\S+))?/i.exec(args)!;
      stages.push({ name: m[2] ?? `stage${stages.length}`, from: m[1]!, instructions: [] });
    } else stages.at(-1)?.instructions.push({ op: op!.toUpperCase(), args });
  }
  return stages;
}

const STAGES = parseDockerfile(read("Dockerfile"));
const stage = (name: string) => {
  const s = STAGES.find((x) => x.name === name);
  if (!s) throw new Error(`Dockerfile has no stage ${name}`);
  return s;
};
const ops = (s: Stage, op: string) => s.instructions.filter((i) => i.op === op).map((i) => i.args);
/** ENV instructions, both `ENV A=1 B=2` and `ENV A 1` forms. */
const envOf = (s: Stage) =>
  Object.fromEntries(
    ops(s, "ENV").flatMap((args) =>
      args.includes("=")
        ? [...args.matchAll(/([A-Z_][A-Z0-9_]*)=("[^"]*"|\S+)/g)].map((m) => [
            m[1]!,
            m[2]!.replace(/^"|"$/g, ""),
          ])
        : [[args.split(/\s+/)[0]!, args.split(/\s+/).slice(1).join(" ")]],
    ),
  );

// ---------------------------------------------------------------------------------------
// Kubernetes

interface K8sObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; labels?: Record<string, string> };
  // biome-ignore lint/suspicious/noExplicitAny: manifests are free-form
  spec?: any;
  data?: Record<string, string>;
  stringData?: Record<string, string>;
}

const K8S_DIR = "deploy/k8s";
const KUSTOMIZATION = parse(read(`${K8S_DIR}/kustomization.yaml`)) as {
  resources: string[];
  images?: Array<{ name: string }>;
  namespace?: string;
};
const K8S: K8sObject[] = KUSTOMIZATION.resources.flatMap((file) =>
  parseAllDocuments(read(`${K8S_DIR}/${file}`)).map((d) => d.toJS() as K8sObject),
);
const objects = (kind: string) => K8S.filter((o) => o.kind === kind);
const one = (kind: string, name?: string) => {
  const found = objects(kind).filter((o) => name === undefined || o.metadata.name === name);
  expect(found, `${kind} ${name ?? ""}`).toHaveLength(1);
  return found[0]!;
};
// biome-ignore lint/suspicious/noExplicitAny: manifests are free-form
type PodSpec = any;
const podSpecs: Array<[string, PodSpec]> = [
  ...objects("Deployment").map(
    (o) => [`Deployment/${o.metadata.name}`, o.spec.template.spec] as [string, PodSpec],
  ),
  ...objects("Job").map((o) => [`Job/${o.metadata.name}`, o.spec.template.spec] as [string, PodSpec]),
  ...objects("CronJob").map(
    (o) => [`CronJob/${o.metadata.name}`, o.spec.jobTemplate.spec.template.spec] as [string, PodSpec],
  ),
];

/** The environment a container gets from its envFrom and env entries. */
function containerEnv(container: PodSpec): Record<string, string> {
  const env: Record<string, string> = {};
  for (const from of container.envFrom ?? []) {
    if (from.configMapRef) Object.assign(env, one("ConfigMap", from.configMapRef.name).data);
    if (from.secretRef) {
      const secret = one("Secret", from.secretRef.name);
      Object.assign(env, secret.stringData, secret.data);
    }
  }
  for (const e of container.env ?? []) env[e.name] = e.value ?? "";
  return env;
}

// ---------------------------------------------------------------------------------------

describe("docker compose", () => {
  it("has the services the issue asks for, each with an image or a build", () => {
    expect(Object.keys(services).sort()).toEqual([
      "api",
      "backup",
      "db",
      "db-replica",
      "k6",
      "migrate",
      "tests",
    ]);
    for (const [name, s] of Object.entries(services)) expect(s.image ?? s.build, name).toBeTruthy();
    expect(APP_SERVICES.map(([n]) => n).sort()).toEqual(["api", "backup", "migrate"]);
    // One image for all three, built from this repository's Dockerfile.
    expect(new Set(APP_SERVICES.map(([, s]) => s.image)).size).toBe(1);
    for (const [, s] of Object.entries(services))
      if (s.build)
        expect(
          STAGES.map((x) => x.name),
          s.build.target,
        ).toContain(s.build.target ?? "runtime");
  });

  it("takes every interpolated variable from .env (template .env.example) or a default; secrets have none", () => {
    const used = interpolations(COMPOSE_TEXT);
    for (const v of used)
      expect(
        v.name in ENV_EXAMPLE || v.op === ":-" || v.op === "-",
        `${v.name} is neither in .env.example nor defaulted`,
      ).toBe(true);
    for (const v of used.filter((u) => /PASSWORD|SECRET|KEY/.test(u.name)))
      expect([":?", "?"], `${v.name} must be required, never defaulted`).toContain(v.op);
    const names = new Set(used.map((u) => u.name));
    for (const key of Object.keys(ENV_EXAMPLE).filter((k) => k !== "STOCKROOM_IMAGE"))
      expect(names.has(key), `.env.example defines ${key}, which compose never uses`).toBe(true);
    expect(read(".gitignore").split("\n")).toContain(".env");
    expect(() => resolveDeep(parse(COMPOSE_TEXT, { merge: true }), {})).toThrow(
      /POSTGRES_PASSWORD is required/,
    );
  });

  it("gives our containers only variables the code reads, with values the server's config accepts", () => {
    for (const [name, s] of APP_SERVICES) {
      const env = s.environment ?? {};
      for (const key of Object.keys(env))
        expect(APP_ENV.has(key), `${name}: ${key} is read by nothing`).toBe(true);
      expect(() => loadConfig(env), name).not.toThrow();
      expect(loadConfig(env).DATABASE_URL, name).toMatch(/@db:5432\//);
    }
    for (const name of ["db", "db-replica"])
      for (const key of Object.keys(services[name]!.environment ?? {}))
        expect(
          POSTGRES_IMAGE_ENV.has(key) || POSTGRES_SCRIPT_ENV.has(key),
          `${name}: ${key} is read by neither the postgres image nor deploy/postgres/*.sh`,
        ).toBe(true);
    for (const key of Object.keys(services.tests!.environment ?? {}))
      expect(testEnvKnown(key), `tests: ${key} is not passed through turbo`).toBe(true);
    for (const key of Object.keys(services.k6!.environment ?? {}))
      expect(CLI_ENV.has(key) || key.startsWith("K6_"), `k6: ${key}`).toBe(true);
  });

  it("runs PostgreSQL 15 with a healthcheck and a volume", () => {
    const db = services.db!;
    expect(db.image).toMatch(/^postgres:15(\.|$|-)/);
    expect(JSON.stringify(db.healthcheck?.test)).toContain("pg_isready");
    const [volume, path] = db.volumes![0]!.split(":");
    expect(path).toBe("/var/lib/postgresql/data");
    expect(COMPOSE.volumes).toHaveProperty(volume!);
  });

  it("migrates once, then starts the api on port 8000 with a /health healthcheck", () => {
    const migrate = services.migrate!;
    expect(commandOf(migrate)).toEqual(["stockroom", "db", "migrate"]);
    expect(migrate.restart).toBe("no");
    expect(migrate.depends_on).toEqual({ db: { condition: "service_healthy" } });
    expect(migrate.healthcheck?.disable).toBe(true);

    const api = services.api!;
    const config = loadConfig(api.environment);
    expect(config.PORT).toBe(8000);
    expect(api.ports).toHaveLength(1);
    expect(api.ports![0]!.split(":").at(-1)).toBe(String(config.PORT));
    expect(api.ports![0]!.split(":")[0]).toBe(ENV_EXAMPLE.API_PORT);
    expect(api.depends_on).toEqual({
      db: { condition: "service_healthy" },
      migrate: { condition: "service_completed_successfully" },
    });
    const probe = healthUrl(api.healthcheck?.test);
    expect(probe?.[1]).toBe(String(config.PORT));
    expect(probe?.[2]).toBe("/health");
    expect(api.healthcheck?.disable).toBeFalsy();
    expect(config.STOCKROOM_BOOTSTRAP_KEY).toBe(ENV_EXAMPLE.STOCKROOM_BOOTSTRAP_KEY);
  });

  it("runs the backup scheduler with a valid cron pattern into the /backups volume", () => {
    const backup = services.backup!;
    const cmd = commandOf(backup);
    expect(cmd.slice(0, 3)).toEqual(["stockroom", "db", "backup"]);
    const flag = (name: string) => cmd[cmd.indexOf(name) + 1];
    expect(flag("--dir")).toBe("/backups");
    expect(() => assertSchedule(flag("--schedule")!)).not.toThrow();
    expect(flag("--schedule")).toBe(ENV_EXAMPLE.BACKUP_SCHEDULE);
    expect(Number(flag("--keep"))).toBeGreaterThanOrEqual(1);
    const [volume, path] = backup.volumes![0]!.split(":");
    expect(path).toBe("/backups");
    expect(COMPOSE.volumes).toHaveProperty(volume!);
    expect(backup.depends_on?.migrate).toEqual({ condition: "service_completed_successfully" });
    // The image's HEALTHCHECK probes the API, which this container does not serve.
    expect(backup.healthcheck?.disable).toBe(true);
  });

  it("puts k6 under profile load against http://api:8000, and the tests under profile test", () => {
    const k6 = services.k6!;
    expect(k6.profiles).toEqual(["load"]);
    expect(k6.environment?.STOCKROOM_URL).toBe(`http://api:${loadConfig(services.api!.environment).PORT}`);
    expect(k6.environment?.STOCKROOM_API_KEY).toBe(ENV_EXAMPLE.STOCKROOM_BOOTSTRAP_KEY);
    const mount = k6.volumes!.find((v) => v.startsWith("./loadtest:"))!;
    expect(existsSync(join(ROOT, "loadtest"))).toBe(true);
    expect(mount.split(":")[1]).toBe(k6.working_dir);
    expect(commandOf(k6)).toEqual(["run", `k6/${ENV_EXAMPLE.K6_SCRIPT}`]);
    expect(k6.depends_on).toEqual({ api: { condition: "service_healthy" } });

    const tests = services.tests!;
    expect(tests.profiles).toEqual(["test"]);
    expect(tests.build?.target).toBe("test");
    expect(tests.environment?.TEST_DATABASE_URL).toMatch(/@db:5432\//);
    for (const [name, s] of Object.entries(services))
      if (!["k6", "tests", "db-replica"].includes(name)) expect(s.profiles, name).toBeUndefined();
  });

  it("puts a streaming standby of db under profile replica, set up by the scripts in deploy/postgres", () => {
    const db = services.db!;
    const replica = services["db-replica"]!;
    expect(replica.profiles).toEqual(["replica"]);
    expect(replica.image).toBe(db.image);
    expect(replica.depends_on).toEqual({ db: { condition: "service_healthy" } });
    expect(JSON.stringify(replica.healthcheck?.test)).toContain("pg_isready");
    const [volume, path] = replica.volumes![0]!.split(":");
    expect(path).toBe("/var/lib/postgresql/data");
    expect(COMPOSE.volumes).toHaveProperty(volume!);
    expect(volume).not.toBe(db.volumes![0]!.split(":")[0]);
    // Each script is mounted where it runs: the primary's as an init script of the image,
    // the standby's as its entrypoint.
    const mounted = (s: ComposeService, file: string) =>
      s.volumes!.find((v) => v.startsWith(`./${file}:`))?.split(":")[1];
    const init = mounted(db, "deploy/postgres/primary-replication.sh");
    expect(init).toMatch(/^\/docker-entrypoint-initdb\.d\/[\w-]+\.sh$/);
    const entry = mounted(replica, "deploy/postgres/replica-entrypoint.sh");
    expect(replica as { entrypoint?: string[] }).toHaveProperty("entrypoint", ["sh", entry]);
    // The image runs an executable init script and sources any other (its set -eu and exit would leak).
    const modes = spawnSync("git", ["ls-files", "-s", ...POSTGRES_SCRIPTS], { cwd: ROOT, encoding: "utf8" });
    for (const line of modes.stdout.trim().split("\n")) expect(line).toMatch(/^100755 /);
    for (const file of POSTGRES_SCRIPTS) {
      const check = spawnSync("sh", ["-n", join(ROOT, file)], { encoding: "utf8" });
      expect(check.status, `${file}: ${check.stderr}`).toBe(0);
    }
    // Both sides agree on the password's variable, and it is a required secret.
    for (const s of [db, replica]) expect(s.environment?.POSTGRES_REPLICATION_PASSWORD).toBeTruthy();
    expect(
      interpolations(COMPOSE_TEXT).filter((v) => v.name === "POSTGRES_REPLICATION_PASSWORD").length,
    ).toBe(2);
  });

  it.skipIf(privateClusterUnavailableReason() !== null)(
    "the replica scripts make a streaming standby of a real primary (scripts/try-compose-replica.sh, outside Docker)",
    () => {
      const run = spawnSync("sh", [join(ROOT, "scripts/try-compose-replica.sh")], {
        encoding: "utf8",
        timeout: 300_000,
      });
      expect(run.status, `${run.stdout}\n${run.stderr}`).toBe(0);
      expect(run.stdout).toContain("all checks passed");
    },
    300_000,
  );

  it("starts the api with DATABASE_REPLICA_URL only while db-replica exists (profile replica)", () => {
    const api = services.api!;
    const env = api.environment!;
    const replicaUrl = new URL(env.DATABASE_REPLICA_URL!);
    const primaryUrl = new URL(loadConfig(env).DATABASE_URL!);
    expect(replicaUrl.host).toBe("db-replica:5432");
    // The standby is a copy of db: same role, password and database.
    expect([replicaUrl.username, replicaUrl.password, replicaUrl.pathname]).toEqual([
      primaryUrl.username,
      primaryUrl.password,
      primaryUrl.pathname,
    ]);
    expect(loadConfig(env).DATABASE_REPLICA_URL).toBe(env.DATABASE_REPLICA_URL);
    // The command is the image's CMD behind a shell line that drops the URL when the host is missing.
    const [shell, flag, line] = commandOf(api);
    expect([shell, flag]).toEqual(["sh", "-c"]);
    const cmd = JSON.parse(ops(stage("runtime"), "CMD").at(-1)!) as string[];
    expect(line!.endsWith(`; exec ${cmd.join(" ")}`)).toBe(true);
    // getent comes with glibc: the runtime image must be a Debian one.
    expect(read("Dockerfile")).toMatch(/ARG NODE_IMAGE=node:\d+-bookworm/);
    // The line itself, run here with the server's start replaced by printing what it would get.
    const probe = (host: string) =>
      spawnSync(
        "sh",
        [
          "-c",
          line!
            .replaceAll("db-replica", host)
            .replace(`exec ${cmd.join(" ")}`, 'echo "$DATABASE_REPLICA_URL"'),
        ],
        { env: { ...process.env, DATABASE_REPLICA_URL: env.DATABASE_REPLICA_URL }, encoding: "utf8" },
      ).stdout.trim();
    expect(probe("db-replica.invalid")).toBe("");
    expect(probe("localhost")).toBe(env.DATABASE_REPLICA_URL);
  });
});

describe("Dockerfile", () => {
  const runtime = stage("runtime");

  it("is multi-stage, installs production dependencies only, and ships a test stage", () => {
    expect(STAGES.map((s) => s.name)).toEqual(expect.arrayContaining(["prune", "deps", "runtime", "test"]));
    expect(ops(stage("prune"), "RUN").join("\n")).toMatch(
      /turbo prune @stockroom\/server @stockroom\/cli --docker/,
    );
    expect(ops(stage("deps"), "RUN").join("\n")).toMatch(/pnpm install --frozen-lockfile --prod\b/);
    expect(ops(runtime, "COPY").join("\n")).toMatch(/--from=deps/);
    // The runtime stage starts from a plain Node image: no pnpm, no dev dependencies.
    expect(runtime.from).not.toBe("base");
  });

  it("runs as an unprivileged user", () => {
    const user = ops(runtime, "USER").at(-1);
    expect(user).toBeDefined();
    expect(["root", "0"]).not.toContain(user!.split(":")[0]);
  });

  it("serves the API on the config's port, probed on /health", () => {
    const env = envOf(runtime);
    const config = loadConfig(env);
    expect(ops(runtime, "EXPOSE")).toEqual([String(config.PORT)]);
    expect(config.PORT).toBe(DEFAULT_PORT);
    const health = ops(runtime, "HEALTHCHECK").join(" ");
    expect(health).toContain("/health");
    expect(health).toContain("process.env.PORT");
    for (const key of Object.keys(env)) expect(APP_ENV.has(key), `ENV ${key} is read by nothing`).toBe(true);
    // CMD runs the server compiled in the build stage (what `pnpm start` runs), never
    // TypeScript; the CLI wrapper points at the real bin.
    const workdir = ops(runtime, "WORKDIR").at(-1)!;
    const cmd = JSON.parse(ops(runtime, "CMD").at(-1)!) as string[];
    expect(cmd.join(" ")).not.toMatch(/tsx|\.ts\b/);
    const entry = cmd.find((a) => a.endsWith(".mjs"))!;
    const bundle = relative("/app", join(workdir, entry));
    expect(read("apps/server/package.json")).toContain('"build": "node ../../scripts/build-server.mjs"');
    expect(read("scripts/build-server.mjs")).toContain(`join(root, "${dirname(bundle)}")`);
    expect(read("scripts/build-server.mjs")).toContain(`join(outDir, "${basename(bundle)}")`);
    expect(ops(stage("build"), "RUN").join("\n")).toContain("node scripts/build-server.mjs");
    expect(ops(stage("deps"), "COPY").join("\n")).toContain(`--from=build /app/${dirname(bundle)}`);
    const wrapper = /exec node (\S+)/.exec(ops(runtime, "RUN").join("\n"))![1]!;
    expect(existsSync(join(ROOT, relative("/app", wrapper)))).toBe(true);
  });

  it("includes pg_dump/psql of the same major version as the compose database", () => {
    const major = /^postgres:(\d+)/.exec(services.db!.image!)![1];
    expect(ops(runtime, "RUN").join("\n")).toContain(`postgresql-client-${major}`);
  });

  it("keeps secrets and local state out of the build context", () => {
    const ignored = read(".dockerignore")
      .split("\n")
      .map((l) => l.trim());
    for (const entry of [".env", "**/node_modules", ".git", "data", "backups"])
      expect(ignored).toContain(entry);
    expect(ignored).toContain("!.env.example");
  });
});

describe("Kubernetes manifests", () => {
  it("are all listed in kustomization.yaml, in one namespace", () => {
    const files = readdirSync(join(ROOT, K8S_DIR)).filter(
      (f) => f.endsWith(".yaml") && f !== "kustomization.yaml",
    );
    expect([...KUSTOMIZATION.resources].sort()).toEqual(files.sort());
    expect(KUSTOMIZATION.namespace).toBe(one("Namespace").metadata.name);
    for (const o of K8S) expect(o.metadata.name, `${o.kind} needs a name`).toBeTruthy();
  });

  it("runs 3 API replicas with /ready readiness, /health liveness, resources and graceful termination", () => {
    const deployment = one("Deployment");
    expect(deployment.spec.replicas).toBe(3);
    const pod = deployment.spec.template.spec;
    const [api] = pod.containers;
    const config = loadConfig(containerEnv(api));
    const http = api.ports.find((p: { name: string }) => p.name === "http");
    expect(http.containerPort).toBe(config.PORT);
    const portOf = (probe: { httpGet: { port: string | number } }) =>
      typeof probe.httpGet.port === "number"
        ? probe.httpGet.port
        : api.ports.find((p: { name: string }) => p.name === probe.httpGet.port)?.containerPort;
    expect(api.readinessProbe.httpGet.path).toBe("/ready");
    expect(api.livenessProbe.httpGet.path).toBe("/health");
    for (const probe of [api.readinessProbe, api.livenessProbe, api.startupProbe].filter(Boolean))
      expect(portOf(probe)).toBe(config.PORT);
    expect(api.resources.requests).toMatchObject({ cpu: expect.any(String), memory: expect.any(String) });
    expect(api.resources.limits.memory).toBeTruthy();

    const sleep = Number(api.lifecycle.preStop.exec.command.at(-1));
    expect(sleep).toBeGreaterThan(0);
    // The preStop sleep plus the server's own drain must end before SIGKILL.
    expect(pod.terminationGracePeriodSeconds).toBeGreaterThan(
      sleep + config.STOCKROOM_SHUTDOWN_TIMEOUT_MS / 1000,
    );
    expect(deployment.spec.strategy.rollingUpdate.maxUnavailable).toBe(0);
  });

  it("runs every pod as non-root, without privilege escalation, with only known env vars", () => {
    expect(podSpecs.map(([n]) => n.split("/")[0]).sort()).toEqual(["CronJob", "Deployment", "Job"]);
    for (const [name, pod] of podSpecs) {
      expect(pod.securityContext.runAsNonRoot, name).toBe(true);
      expect(pod.securityContext.runAsUser, name).toBeGreaterThan(0);
      for (const c of pod.containers) {
        expect(c.securityContext.allowPrivilegeEscalation, name).toBe(false);
        expect(c.securityContext.capabilities.drop, name).toContain("ALL");
        expect(c.image.split(":")[0], name).toBe(KUSTOMIZATION.images![0]!.name);
        if (c.securityContext.readOnlyRootFilesystem)
          expect(
            c.volumeMounts.map((m: { mountPath: string }) => m.mountPath),
            `${name} needs a writable /tmp`,
          ).toContain("/tmp");
        const env = containerEnv(c);
        for (const key of Object.keys(env))
          expect(APP_ENV.has(key), `${name}: ${key} is read by nothing`).toBe(true);
        expect(() => loadConfig(env), name).not.toThrow();
        expect(loadConfig(env).DATABASE_URL, `${name} must use PostgreSQL`).toMatch(/^postgres:\/\//);
        expect(c.resources?.requests, name).toBeTruthy();
      }
    }
  });

  it("exposes the API through a Service on the pods' http port, scaled by an HPA", () => {
    const deployment = one("Deployment");
    const service = one("Service");
    const labels = deployment.spec.template.metadata.labels;
    expect(labels).toMatchObject(service.spec.selector);
    expect(labels).toMatchObject(deployment.spec.selector.matchLabels);
    expect(service.spec.ports[0].targetPort).toBe("http");
    expect(service.spec.ports[0].port).toBe(DEFAULT_PORT);
    const hpa = one("HorizontalPodAutoscaler");
    expect(hpa.spec.scaleTargetRef).toMatchObject({ kind: "Deployment", name: deployment.metadata.name });
    expect(hpa.spec.minReplicas).toBe(deployment.spec.replicas);
    expect(hpa.spec.maxReplicas).toBeGreaterThan(hpa.spec.minReplicas);
    expect(one("PodDisruptionBudget").spec.selector.matchLabels).toEqual(
      deployment.spec.selector.matchLabels,
    );
  });

  it("keeps secrets in the Secret (placeholders only) and settings in the ConfigMap", () => {
    const secret = one("Secret");
    expect(Object.keys(secret.stringData ?? {}).sort()).toEqual(["DATABASE_URL", "STOCKROOM_BOOTSTRAP_KEY"]);
    for (const value of Object.values(secret.stringData!)) expect(value).toContain("CHANGE-ME");
    expect(one("ConfigMap").data).not.toHaveProperty("DATABASE_URL");
  });

  it("migrates with a Job and backs up with a CronJob onto a PersistentVolumeClaim", () => {
    const job = one("Job").spec.template.spec.containers[0];
    expect(job.command).toEqual(["stockroom", "db", "migrate"]);

    const cron = one("CronJob");
    expect(() => assertSchedule(cron.spec.schedule)).not.toThrow();
    expect(cron.spec.concurrencyPolicy).toBe("Forbid");
    const pod = cron.spec.jobTemplate.spec.template.spec;
    const [backup] = pod.containers;
    expect(backup.command.slice(0, 3)).toEqual(["stockroom", "db", "backup"]);
    expect(backup.command).toContain("--verify");
    const dir = backup.command[backup.command.indexOf("--dir") + 1];
    const mount = backup.volumeMounts.find((m: { mountPath: string }) => m.mountPath === dir);
    const volume = pod.volumes.find((v: { name: string }) => v.name === mount.name);
    expect(one("PersistentVolumeClaim", volume.persistentVolumeClaim.claimName)).toBeTruthy();
  });
});

describe("what the deployment files point at exists", () => {
  let scratch: Awaited<ReturnType<typeof createTestDatabase>>;
  let app: ReturnType<typeof createApp>;
  beforeAll(async () => {
    scratch = await createTestDatabase("pglite");
    app = createApp({
      runtime: { database: scratch.database, keys: new KeyAuthenticator(scratch.database.db), hooks: {} },
      logger: pino({ level: "silent" }),
    });
  });
  afterAll(() => scratch?.drop());

  it("every probe and healthcheck path answers 200 on the real app", async () => {
    const deployment = one("Deployment").spec.template.spec.containers[0];
    const paths = new Set<string>([
      deployment.readinessProbe.httpGet.path,
      deployment.livenessProbe.httpGet.path,
      deployment.startupProbe.httpGet.path,
      healthUrl(services.api!.healthcheck?.test)![2]!,
      /\/[a-z]+(?=')/.exec(ops(stage("runtime"), "HEALTHCHECK").join(" "))![0],
    ]);
    expect([...paths].sort()).toEqual(["/health", "/ready"]);
    for (const path of paths) expect((await app.request(path)).status, path).toBe(200);
  });

  it("the CLI has the db commands and flags that compose and the manifests use", () => {
    const bin = join(ROOT, "packages/cli/bin/stockroom.mjs");
    const help = (args: string[]) => {
      const r = spawnSync(process.execPath, [bin, ...args, "--help"], {
        encoding: "utf8",
        env: { ...process.env, NO_COLOR: "1" },
      });
      expect(r.status, `stockroom ${args.join(" ")} --help: ${r.stderr}`).toBe(0);
      return r.stdout;
    };
    const used = [
      commandOf(services.backup!),
      one("CronJob").spec.jobTemplate.spec.template.spec.containers[0].command as string[],
    ];
    const backupHelp = help(["db", "backup"]);
    for (const cmd of used)
      for (const flag of cmd.filter((a) => a.startsWith("--"))) expect(backupHelp, flag).toContain(flag);
    expect(help(["db"])).toMatch(/migrate/);
  });
});
