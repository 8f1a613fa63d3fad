import { describe, expect, it } from 'vitest';
import {
  BUILTIN_SECRET_PATTERNS,
  isSecretName,
  MASK,
  maskEnv,
  maskText,
  maskUrlPasswords,
  maskValue,
  matchesGlob,
} from '../../../src/core/secrets.js';

describe('isSecretName', () => {
  it.each([
    'SECRET_KEY',
    'OPENAI_API_KEY',
    'api_key',
    'KEYCLOAK_URL',
    'AWS_SECRET_ACCESS_KEY',
    'GITHUB_TOKEN',
    'DB_PASSWORD',
    'MYSQL_ROOT_PASSWD',
    'GOOGLE_APPLICATION_CREDENTIALS',
    'PRIVATE_PEM',
    'OAUTH_CLIENT',
    'Authorization',
  ])('built-in patterns hide %s', (name) => {
    expect(isSecretName(name)).toBe(true);
  });

  it.each(['DATABASE_URL', 'PORT', 'HOME', 'PATH', 'LOG_LEVEL', 'PROCINIT_PROCESS'])(
    '%s is not secret',
    (name) => {
      expect(isSecretName(name)).toBe(false);
    },
  );

  it.each([
    ['STRIPE_PK', ['*_PK'], true],
    ['stripe_pk', ['*_PK'], true],
    ['STRIPE_PK_URL', ['*_PK'], false],
    ['MY_DSN', ['*DSN*'], true],
    ['SENTRY_DSN', ['SENTRY_?SN'], true],
    ['SENTRY_DSN', ['SENTRY_?'], false],
    ['A.B', ['A.B'], true],
    ['AXB', ['A.B'], false],
  ])('%s with configured %j: %s', (name, patterns, secret) => {
    expect(isSecretName(name, patterns)).toBe(secret);
  });

  it('always applies the built-ins, whatever is configured', () => {
    expect(isSecretName('DB_PASSWORD', ['*_PK'])).toBe(true);
  });

  it('lists the built-ins of SPEC §7 as globs', () => {
    expect(BUILTIN_SECRET_PATTERNS).toEqual([
      '*KEY*',
      '*SECRET*',
      '*TOKEN*',
      '*PASSWORD*',
      '*PASSWD*',
      '*CREDENTIAL*',
      '*PRIVATE*',
      '*AUTH*',
    ]);
    expect(matchesGlob('x', '*')).toBe(true);
    expect(matchesGlob('a\nb', 'a*b')).toBe(true);
  });
});

describe('maskUrlPasswords', () => {
  it.each([
    ['postgres://u:pw@h/db', 'postgres://u:****@h/db'],
    ['postgres://u:pw@h:5432/db?sslmode=require', 'postgres://u:****@h:5432/db?sslmode=require'],
    ['redis://:pw@cache:6379/0', 'redis://:****@cache:6379/0'],
    ['amqp://user:p@ss@rabbit//', 'amqp://user:****@rabbit//'],
    ['HTTPS://u:pw@example.com', 'HTTPS://u:****@example.com'],
    ['mongodb+srv://u:pw@cluster/db', 'mongodb+srv://u:****@cluster/db'],
    ['a postgres://u:x@h b redis://:y@c', 'a postgres://u:****@h b redis://:****@c'],
    ['DATABASE_URL="postgres://u:pw@h/db"', 'DATABASE_URL="postgres://u:****@h/db"'],
    ['http://user@host/path', 'http://user@host/path'],
    ['http://u:@host', 'http://u:@host'],
    ['http://host:8080/path', 'http://host:8080/path'],
    ['http://host/a:b@c', 'http://host/a:b@c'],
    ['mail me at a:b@c.org', 'mail me at a:b@c.org'],
    ['no url at all', 'no url at all'],
  ])('%s → %s', (text, masked) => {
    expect(maskUrlPasswords(text)).toBe(masked);
  });
});

describe('maskValue and maskEnv', () => {
  it('hides secret names, masks URL passwords in the rest, keeps an empty secret empty', () => {
    const env = {
      SECRET_KEY: 'abc',
      API_TOKEN: '',
      DATABASE_URL: 'postgres://app:hunter2@db/app',
      STRIPE_PK: 'pk_live',
      PORT: '8000',
    };
    expect(maskEnv(env, ['*_PK'])).toEqual({
      SECRET_KEY: MASK,
      API_TOKEN: '',
      DATABASE_URL: 'postgres://app:****@db/app',
      STRIPE_PK: MASK,
      PORT: '8000',
    });
    expect(env.SECRET_KEY).toBe('abc');
  });

  it('masks one value', () => {
    expect(maskValue('DB_PASSWORD', 'x')).toBe('****');
    expect(maskValue('URL', 'http://a:b@c')).toBe('http://a:****@c');
  });
});

describe('maskText', () => {
  it.each([
    ['API_KEY=abc gunicorn app', 'API_KEY=**** gunicorn app'],
    ['SECRET_KEY="a b" run', 'SECRET_KEY=**** run'],
    ["TOKEN='x y' run", 'TOKEN=**** run'],
    ['run --db-password=hunter2 --port=80', 'run --db-password=**** --port=80'],
    ['run -auth=x', 'run -auth=****'],
    ['PORT=80 run', 'PORT=80 run'],
    ['DB=postgres://u:pw@h/db run', 'DB=postgres://u:****@h/db run'],
    ['EMPTY_TOKEN= run', 'EMPTY_TOKEN= run'],
    ['echo a=b', 'echo a=b'],
    ['https://h/x?api_key=abc&page=2', 'https://h/x?api_key=****&page=2'],
    ['https://h/x?page=2&access%5Ftoken=abc#top', 'https://h/x?page=2&access%5Ftoken=****#top'],
    ['https://h/x?q=token', 'https://h/x?q=token'],
  ])('%s → %s', (text, masked) => {
    expect(maskText(text)).toBe(masked);
  });

  it('uses configured patterns', () => {
    expect(maskText('STRIPE_PK=pk_live run', ['*_PK'])).toBe('STRIPE_PK=**** run');
    expect(maskText('https://h/x?sig=abc&b=1', ['SIG'])).toBe('https://h/x?sig=****&b=1');
  });
});
