import { describe, expect, it } from 'vitest';
import { axisTicks, barLayout } from './waterfall.ts';
import { scrollToReveal, visibleWindow } from './virtualList.ts';

describe('barLayout', () => {
  it('places a span on the trace time axis as fractions of its width', () => {
    expect(barLayout(1250, 500, 1000, 2000)).toEqual({ left: 0.25, width: 0.5 });
  });

  it('gives a zero-length span a visible minimum width that stays inside the axis', () => {
    expect(barLayout(1000, 0, 1000, 2000, 0.01)).toEqual({ left: 0, width: 0.01 });
    const atEnd = barLayout(2000, 0, 1000, 2000, 0.01);
    expect(atEnd.left + atEnd.width).toBeCloseTo(1);
  });

  it('fills the axis when the trace has no duration', () => {
    expect(barLayout(5, 0, 5, 5)).toEqual({ left: 0, width: 1 });
  });
});

describe('axisTicks', () => {
  it('uses round steps', () => {
    expect(axisTicks(1000, 5).map((t) => t.offsetMs)).toEqual([0, 200, 400, 600, 800, 1000]);
    expect(axisTicks(2_345, 6).map((t) => t.offsetMs)).toEqual([0, 500, 1000, 1500, 2000]);
    expect(axisTicks(0)).toEqual([{ offsetMs: 0, at: 0 }]);
  });
});

describe('visibleWindow', () => {
  it('draws only the rows on screen plus overscan', () => {
    const w = visibleWindow(10_000, 24, 24 * 5000, 480, 5);
    expect(w.start).toBe(4995);
    expect(w.end).toBe(5025);
    expect(w.offsetTop).toBe(4995 * 24);
    expect(w.totalHeight).toBe(240_000);
  });

  it('clamps at both ends of the list', () => {
    expect(visibleWindow(3, 24, 0, 480, 5)).toEqual({ start: 0, end: 3, offsetTop: 0, totalHeight: 72 });
    const past = visibleWindow(100, 10, 5000, 200, 2);
    expect(past.start).toBe(97);
    expect(past.end).toBe(100);
    expect(visibleWindow(0, 24, 0, 480)).toEqual({ start: 0, end: 0, offsetTop: 0, totalHeight: 0 });
  });

  it('scrolls just enough to reveal a row above or below the viewport', () => {
    expect(scrollToReveal(2, 20, 100, 200)).toBe(40);
    expect(scrollToReveal(20, 20, 100, 200)).toBe(220);
    expect(scrollToReveal(8, 20, 100, 200)).toBeNull();
  });
});
