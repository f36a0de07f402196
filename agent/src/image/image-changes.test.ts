import { describe, expect, it } from 'vitest';
import { applyChanges, splitWords } from './image-changes.ts';

describe('applyChanges', () => {
  it('applies the common instructions', () => {
    const c = applyChanges({ Env: ['PATH=/bin'] }, [
      'CMD ["sh", "-c", "echo hi"]',
      'ENV A=1 B="two words"',
      'ENV PATH /usr/bin:/bin',
      'ENV C value with spaces',
      'EXPOSE 80 53/udp',
      'LABEL maintainer="me" version=1',
      'USER nobody',
      'VOLUME ["/data", "/logs"]',
      'VOLUME /cache',
      'WORKDIR /srv',
      'STOPSIGNAL SIGINT',
      'entrypoint /bin/echo hi',
    ]);
    expect(c).toEqual({
      Env: ['PATH=/usr/bin:/bin', 'A=1', 'B=two words', 'C=value with spaces'],
      Cmd: null,
      Entrypoint: ['/bin/sh', '-c', '/bin/echo hi'],
      ExposedPorts: { '80/tcp': {}, '53/udp': {} },
      Labels: { maintainer: 'me', version: '1' },
      User: 'nobody',
      Volumes: { '/data': {}, '/logs': {}, '/cache': {} },
      WorkingDir: '/srv',
      StopSignal: 'SIGINT',
    });
    expect(applyChanges({}, ['CMD echo $HOME'])).toEqual({ Cmd: ['/bin/sh', '-c', 'echo $HOME'] });
  });

  it('rejects unknown instructions and bad ports like Docker', () => {
    expect(() => applyChanges({}, ['RUN echo'])).toThrow('RUN is not a valid change command');
    expect(() => applyChanges({}, ['EXPOSE abc'])).toThrow('invalid containerPort: abc');
  });

  it('splits words with quotes and escapes', () => {
    expect(splitWords(`a="b c" 'd e' f\\ g`)).toEqual(['a=b c', 'd e', 'f g']);
  });
});
