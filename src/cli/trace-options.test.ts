import { describe, expect, it } from 'vitest';
import { parseMinutesWindow } from './trace-options.ts';

describe('parseMinutesWindow', () => {
  it.each([
    ['480-959', { from: 480, to: 959 }],
    [' 1 - 1440 ', { from: 1, to: 1440 }],
    ['0-0', { from: 0, to: 0 }],
  ])('reads %j', (text, window) => {
    expect(parseMinutesWindow(text)).toEqual(window);
  });

  it.each(['480', '480-', '-5-10', '1.5-3', 'a-b', '', '1-2-3', '99999999999999999999-1'])('refuses %j, showing a valid window', (text) => {
    expect(() => parseMinutesWindow(text)).toThrow(`--minutes: expected a window of minute labels A-B with whole numbers A <= B (e.g. 480-959), got "${text}"`);
  });

  it('refuses a window that ends before it starts, and names the flag it is given', () => {
    expect(() => parseMinutesWindow('959-480')).toThrow('--minutes: the window 959-480 starts after it ends; expected A <= B (e.g. 480-959)');
    expect(() => parseMinutesWindow('x', '--window')).toThrow('--window: expected');
  });
});
