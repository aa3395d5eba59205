import * as path from 'node:path';
import { CassetteNameAllocator, cassetteFolder, cassettePath, FILE_SCOPE_NAME, toCassetteFileName } from '../../src/cassette/cassette-path';

const location = { cassetteDir: path.resolve('/p/cassettes'), rootDir: path.resolve('/p'), testPath: path.resolve('/p/src/agent.test.ts') };

describe('test name -> file name', () => {
  test('safe names are kept exactly, unicode and spaces included', () => {
    for (const name of ['weather answers', 'weather answers in °C', 'émoji 🚀 test', 'a-b_c (1) [x] {y} #1 @home']) {
      expect(toCassetteFileName(name)).toBe(name);
    }
  });

  test('only characters unsafe in file names are replaced', () => {
    expect(toCassetteFileName('a/b: c?')).toBe('a_b_ c_');
    expect(toCassetteFileName('weather > <x>|"y"\\*z')).toBe('weather _ _x___y___z');
    expect(toCassetteFileName('tab\there\nnewline')).toBe('tab_here_newline');
  });

  test('names that file systems reject or hide become safe', () => {
    expect(toCassetteFileName('')).toBe('_');
    expect(toCassetteFileName('..')).toBe('_');
    expect(toCassetteFileName('trailing dots...')).toBe('trailing dots');
    expect(toCassetteFileName('  padded  ')).toBe('padded');
  });

  test('a long name is cut to a safe byte length and keeps a short digest of the full name', () => {
    const long = 'ü'.repeat(300);
    const name = toCassetteFileName(long);
    expect(Buffer.byteLength(name)).toBeLessThanOrEqual(180);
    expect(name).toMatch(/^ü+~[0-9a-f]{8}$/);
    expect(toCassetteFileName(`${long}x`)).not.toBe(name);
    expect(toCassetteFileName(long)).toBe(name);
  });
});

describe('test file -> folder -> cassette path', () => {
  test('mirrors the test file path under cassetteDir', () => {
    expect(cassetteFolder(location)).toBe(path.resolve('/p/cassettes/src/agent.test.ts'));
    expect(cassettePath(location, 'weather answers')).toBe(path.resolve('/p/cassettes/src/agent.test.ts/weather answers.yaml'));
  });

  test('a test file outside rootDir cannot escape the cassette folder', () => {
    expect(cassetteFolder({ ...location, testPath: path.resolve('/elsewhere/x.test.ts') })).toBe(path.resolve('/p/cassettes/x.test.ts'));
  });

  test('the file-scope cassette sits next to the test cassettes', () => {
    expect(cassettePath(location, FILE_SCOPE_NAME)).toBe(path.resolve('/p/cassettes/src/agent.test.ts/__file__.yaml'));
  });
});

describe('collisions', () => {
  test('the same name twice, names equal after replacement, and names differing only in case get distinct files', () => {
    const names = new CassetteNameAllocator();
    expect(names.allocate('same', 1)).toBe('same');
    expect(names.allocate('same', 2)).toBe('same (2)');
    expect(names.allocate('a?')).toBe('a_');
    expect(names.allocate('a*')).toBe('a_ (2)');
    expect(names.allocate('a_')).toBe('a_ (3)');
    expect(names.allocate('SAME')).toBe('SAME (3)');
  });

  test('a generated suffix never steals the name of a later test', () => {
    const names = new CassetteNameAllocator();
    expect(names.allocate('x', 1)).toBe('x');
    expect(names.allocate('x', 2)).toBe('x (2)');
    expect(names.allocate('x (2)')).toBe('x (2) (2)');
  });

  test('a test never gets the file-scope cassette', () => {
    expect(new CassetteNameAllocator().allocate(FILE_SCOPE_NAME)).toBe(`${FILE_SCOPE_NAME} (2)`);
  });

  test('asking again for the same test (a retry) gives the same file', () => {
    const names = new CassetteNameAllocator();
    const first = names.allocate('flaky', 1);
    names.allocate('other');
    expect(names.allocate('flaky', 1)).toBe(first);
    expect(names.allocate('flaky', 2)).toBe('flaky (2)');
  });

  test('many colliding names stay distinct, and each file name leads back to its test', () => {
    const tests = ['a/b', 'a:b', 'a?b', 'a_b', 'A_B', 'a/b', 'a b'];
    const names = new CassetteNameAllocator();
    const seen = new Map<string, number>();
    const files = tests.map((name) => {
      const occurrence = (seen.get(name) ?? 0) + 1;
      seen.set(name, occurrence);
      return names.allocate(name, occurrence);
    });
    expect(new Set(files.map((f) => f.toLowerCase())).size).toBe(tests.length);
    expect(files).toEqual(['a_b', 'a_b (2)', 'a_b (3)', 'a_b (4)', 'A_B (5)', 'a_b (6)', 'a b']);
  });
});
