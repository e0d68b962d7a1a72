// The scale-out set-up for end-to-end tests: a real PostgreSQL and a real S3-compatible server
// (scripts/postgres.sh, scripts/s3.sh: Debian's PostgreSQL and s3s-fs, on free loopback ports
// under the test's folder), and clusters of server processes on them behind a round-robin
// balancer (the fault proxy, so its fault rules apply too).
//
//   const backends = await startBackends(TMP);            // once per test file
//   const cluster = await startCluster(TMP, 'name', backends);   // a fresh database and prefix
//   ... cluster.lb.url, cluster.servers, cluster.env, cluster.dirs ...
//   await cluster.stop(); await backends.stop();

import { execFile } from 'node:child_process';
import path from 'node:path';

import { startFaultProxy } from './fault-proxy.mjs';
import { REPO_ROOT, freePort, makeDir, startServer } from './harness.mjs';

const run = (cmd, args) =>
  new Promise((resolve, reject) =>
    execFile(cmd, args, { cwd: REPO_ROOT }, (err, stdout, stderr) =>
      err ? reject(new Error(`${cmd} ${args.join(' ')}: ${err.message}\n${stderr}`)) : resolve(stdout),
    ),
  );

/** Starts PostgreSQL and s3s-fs under `tmp`; `newDatabase(name)` makes an empty database. */
export async function startBackends(tmp) {
  const pgDir = path.join(tmp, 'postgres');
  const s3Dir = path.join(tmp, 's3');
  const adminUrl = (await run('bash', ['scripts/postgres.sh', 'start', pgDir, String(await freePort())])).trim();
  let s3;
  try {
    s3 = await run('bash', ['scripts/s3.sh', 'start', s3Dir, String(await freePort())]);
  } catch (e) {
    await run('bash', ['scripts/postgres.sh', 'stop', pgDir]).catch(() => {});
    throw e;
  }
  const awsEnv = Object.fromEntries(
    s3
      .trim()
      .split('\n')
      .map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]),
  );
  return {
    adminUrl,
    awsEnv,
    async newDatabase(name) {
      const db = `t_${name.replace(/[^a-z0-9]/gi, '_').toLowerCase()}_${Date.now()}`;
      await run('psql', [adminUrl, '-q', '-c', `CREATE DATABASE ${db}`]);
      return `${adminUrl.slice(0, adminUrl.lastIndexOf('/'))}/${db}`;
    },
    async stop() {
      await run('bash', ['scripts/postgres.sh', 'stop', pgDir]).catch(() => {});
      await run('bash', ['scripts/s3.sh', 'stop', s3Dir]).catch(() => {});
    },
  };
}

/**
 * `processes` server processes on a fresh database and bucket prefix of `backends`, each with
 * an empty data directory of its own (the organisation's keys are in the database), behind a
 * round-robin balancer. `env` is what the server and its commands need.
 * With `backends` null, the processes share one embedded installation instead (SQLite and files
 * in one data directory, as on one box). `serverArgs` go to every process.
 */
export async function startCluster(tmp, name, backends, { processes = 2, proxyOptions = {}, serverArgs = [] } = {}) {
  const env = backends
    ? {
        ...backends.awsEnv,
        RESGUARDO_DATABASE_URL: await backends.newDatabase(name),
        RESGUARDO_BLOB_URL: `s3://resguardo-test/${name}-${Date.now()}`,
      }
    : {};
  const servers = [];
  const dirs = [];
  try {
    for (let i = 0; i < processes; i++) {
      const dataDir = backends || i === 0 ? await makeDir(tmp, `${name}-process-${i}`) : dirs[0];
      dirs.push(dataDir);
      servers.push(await startServer({ dataDir, env, extraArgs: serverArgs }));
    }
  } catch (e) {
    for (const s of servers) await s.stop().catch(() => {});
    throw e;
  }
  const lb = await startFaultProxy({ target: servers.map((s) => s.url), ...proxyOptions });
  return {
    env,
    servers,
    dirs,
    lb,
    logs: () => servers.map((s, i) => `--- process ${i} ---\n${s.logs().slice(-6000)}`).join('\n'),
    async stop() {
      await lb.close();
      for (const s of servers) await s.stop().catch(() => {});
    },
  };
}
