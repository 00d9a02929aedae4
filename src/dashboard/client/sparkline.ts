/// <reference lib="dom" />
import { minorUnits } from './money.js';

/** A balance at a moment. */
export interface BalancePoint {
  at: number;
  amount: string;
}

const WIDTH = 120;
const HEIGHT = 32;
const SVG = 'http://www.w3.org/2000/svg';

/**
 * The balance over a window as an SVG step line. Heights are scaled from integer minor units
 * (bigint), so no amount passes through a float until it is a pixel.
 */
export class Sparkline extends HTMLElement {
  private points: BalancePoint[] = [];
  private from = 0;
  private currency = '';

  show(points: BalancePoint[], from: number, currency: string): void {
    this.points = [...points].sort((a, b) => a.at - b.at);
    this.from = from;
    this.currency = currency;
    this.render();
  }

  add(point: BalancePoint): void {
    this.points.push(point);
    this.render();
  }

  private render(): void {
    const to = Date.now();
    const points = this.points.filter((p) => p.at >= this.from);
    const units = points.map((p) => minorUnits(p.amount));
    const first = points[0];
    const last = points.at(-1);
    this.setAttribute('role', 'img');
    this.setAttribute(
      'aria-label',
      first && last
        ? `Balance over the last 30 days: from ${first.amount} to ${last.amount} ${this.currency}`
        : 'No balance history in the last 30 days',
    );
    const svg = document.createElementNS(SVG, 'svg');
    svg.setAttribute('viewBox', `0 0 ${WIDTH} ${HEIGHT}`);
    svg.setAttribute('aria-hidden', 'true');
    svg.setAttribute('preserveAspectRatio', 'none');
    if (units.length > 0) {
      let min = units[0]!;
      let max = units[0]!;
      for (const u of units) {
        if (u < min) min = u;
        if (u > max) max = u;
      }
      const span = max - min === 0n ? 1n : max - min;
      const x = (at: number) => ((at - this.from) / Math.max(1, to - this.from)) * WIDTH;
      // Scaled in integers first (per-mille of the span), then to pixels.
      const y = (u: bigint) =>
        HEIGHT - 2 - (Number(((u - min) * 1000n) / span) / 1000) * (HEIGHT - 4);
      let path = '';
      points.forEach((p, i) => {
        const px = x(p.at).toFixed(1);
        const py = y(units[i]!).toFixed(1);
        path += i === 0 ? `M${px},${py}` : `H${px}V${py}`;
      });
      path += `H${WIDTH}`;
      const line = document.createElementNS(SVG, 'path');
      line.setAttribute('d', path);
      svg.append(line);
    }
    this.replaceChildren(svg);
  }
}

customElements.define('tally-sparkline', Sparkline);
