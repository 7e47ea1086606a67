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
});
