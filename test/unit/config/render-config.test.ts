import { beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { renderConfig } from '../../../src/cli/config-command.js';
import { configForDisplay } from '../../../src/config/render-config.js';
import { resolved } from './resolve-helpers.js';

const yaml = `preflight:
  env:
    secret: ["*_PK"]
  wait_for:
    - { http: "http://admin:search-pw@search:9200/_health" }
  tasks:
    - { name: migrate, run: "DB_PASSWORD=task-pw alembic upgrade head" }
  dirs:
    - { path: uploads, mode: "0750" }
processes:
  web:
    readiness: { http: "http://u:probe-pw@127.0.0.1:8000/health" }
    env:
      DATABASE_URL: "postgres://app:db-pw@db/app"
      STRIPE_PK: "pk-secret"
      LOG_LEVEL: debug
`;

describe('renderConfig', () => {
  const config = resolved({
    procfile: 'web: API_TOKEN=cmd-token gunicorn --bind 0.0.0.0:$PORT app\n',
    yaml,
    envFiles: [{ SECRET_KEY: 'file-secret' }],
  });
  let text = '';
  beforeAll(async () => {
    text = await renderConfig(config);
  });

  it('never shows a secret', () => {
    for (const secret of [
      'search-pw',
      'task-pw',
      'probe-pw',
      'db-pw',
      'pk-secret',
      'cmd-token',
      'file-secret',
    ]) {
      expect(text).not.toContain(secret);
    }
  });

  it("renders the resolved configuration in procinit.yaml's words", () => {
    const shown = parse(text);
    expect(shown).toEqual(configForDisplay(config));
    expect(shown.processes['web.1']).toMatchObject({
      command: 'API_TOKEN=**** gunicorn --bind 0.0.0.0:$PORT app',
      argv: ['/bin/sh', '-c', 'API_TOKEN=**** exec gunicorn --bind 0.0.0.0:$PORT app'],
      restart: 'always',
      stop_timeout: '8s',
      backoff: { initial: '1s', max: '30s', reset_after: '10s' },
      readiness: { http: 'http://u:****@127.0.0.1:8000/health', interval: '10s', timeout: '1s' },
      env: {
        SECRET_KEY: '****',
        DATABASE_URL: 'postgres://app:****@db/app',
        STRIPE_PK: '****',
        LOG_LEVEL: 'debug',
        PROCINIT_PROCESS: 'web.1',
        PROCINIT_INSTANCE: '1',
      },
    });
    expect(shown.preflight).toMatchObject({
      wait_for: [{ http: 'http://admin:****@search:9200/_health', timeout: '30s' }],
      tasks: [{ name: 'migrate', run: 'DB_PASSWORD=**** alembic upgrade head', timeout: '1h' }],
      dirs: [{ path: '/app/config/uploads', mode: '0750', recursive: false }],
    });
    expect(shown.shutdown).toEqual({ timeout: '8s', drain: '0s' });
  });
});
