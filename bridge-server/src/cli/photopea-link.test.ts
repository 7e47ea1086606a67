import { configuredPort } from '../config';
import { buildProgram } from './main';
import { photopeaConfig, photopeaLink } from './photopea-link';

describe('photopea-link', () => {
  test('the link is Photopea\'s documented hash config: decodes to environment.plugins with the bridge page on loopback', () => {
    const link = photopeaLink(7341);
    expect(link.startsWith('https://www.photopea.com#')).toBe(true);
    const hash = link.slice('https://www.photopea.com#'.length);
    expect(hash).not.toMatch(/[ "{}]/); // URL-encoded
    const config = JSON.parse(decodeURI(hash));
    expect(config).toEqual(photopeaConfig(7341));
    expect(config.environment.plugins).toEqual([
      { name: 'SmartDrag', url: 'http://127.0.0.1:7341/photopea/', width: 380, height: 760, icon: 'http://127.0.0.1:7341/photopea/icon.png' },
    ]);
    expect(JSON.parse(decodeURI(photopeaLink(9000).split('#')[1]!)).environment.plugins[0].url).toBe('http://127.0.0.1:9000/photopea/');
  });

  test('photopea-link and doctor default to the port serve takes: SMARTDRAG_PORT, else 7341 (a port number only)', () => {
    expect(configuredPort({})).toBe(7341);
    expect(configuredPort({ SMARTDRAG_PORT: '7390' })).toBe(7390);
    for (const bad of ['', 'abc', '0', '70000', '73.5']) expect(configuredPort({ SMARTDRAG_PORT: bad })).toBe(7341);
    const saved = process.env.SMARTDRAG_PORT;
    process.env.SMARTDRAG_PORT = '7390';
    try {
      const program = buildProgram();
      for (const name of ['photopea-link', 'doctor']) {
        const cmd = program.commands.find((c) => c.name() === name)!;
        expect(cmd.options.find((o) => o.long === '--port')!.defaultValue).toBe(7390);
      }
    } finally {
      if (saved === undefined) delete process.env.SMARTDRAG_PORT; else process.env.SMARTDRAG_PORT = saved;
    }
  });
});
