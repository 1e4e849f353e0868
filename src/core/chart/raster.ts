/**
 * A tiny RGBA raster: opaque background, filled rectangles, and anti-aliased polylines drawn
 * from a coverage mask (distance of each pixel centre to the nearest segment), so joints are
 * not blended twice.
 */

/** An opaque colour, 0-255 per channel. */
export type Rgb = readonly [number, number, number];

export interface PixelPoint {
  readonly x: number;
  readonly y: number;
}

const clampByte = (v: number): number => Math.max(0, Math.min(255, Math.round(v)));

export class Raster {
  readonly pixels: Uint8Array;

  constructor(
    readonly width: number,
    readonly height: number,
    background: Rgb = [255, 255, 255],
  ) {
    if (!Number.isInteger(width) || !Number.isInteger(height) || width < 1 || height < 1) {
      throw new Error(`invalid raster size ${width}x${height}`);
    }
    this.pixels = new Uint8Array(width * height * 4);
    this.fillRect(0, 0, width, height, background);
  }

  /** The colour at (x, y) as [r, g, b, a]; undefined outside the raster. */
  pixel(x: number, y: number): [number, number, number, number] | undefined {
    if (x < 0 || y < 0 || x >= this.width || y >= this.height) return undefined;
    const i = (y * this.width + x) * 4;
    const p = this.pixels;
    return [p[i] ?? 0, p[i + 1] ?? 0, p[i + 2] ?? 0, p[i + 3] ?? 0];
  }

  /** Mixes `color` into pixel (x, y) with opacity `coverage` (0..1); outside pixels are ignored. */
  blend(x: number, y: number, color: Rgb, coverage = 1): void {
    if (coverage <= 0 || x < 0 || y < 0 || x >= this.width || y >= this.height) return;
    const a = Math.min(1, coverage);
    const i = (y * this.width + x) * 4;
    const p = this.pixels;
    p[i] = clampByte((p[i] ?? 0) * (1 - a) + color[0] * a);
    p[i + 1] = clampByte((p[i + 1] ?? 0) * (1 - a) + color[1] * a);
    p[i + 2] = clampByte((p[i + 2] ?? 0) * (1 - a) + color[2] * a);
    p[i + 3] = 255;
  }

  /** An axis-aligned rectangle (integer pixel coordinates), clipped to the raster. */
  fillRect(x: number, y: number, w: number, h: number, color: Rgb): void {
    const x0 = Math.max(0, Math.round(x));
    const y0 = Math.max(0, Math.round(y));
    const x1 = Math.min(this.width, Math.round(x + w));
    const y1 = Math.min(this.height, Math.round(y + h));
    for (let py = y0; py < y1; py++) {
      for (let px = x0; px < x1; px++) {
        const i = (py * this.width + px) * 4;
        this.pixels[i] = color[0];
        this.pixels[i + 1] = color[1];
        this.pixels[i + 2] = color[2];
        this.pixels[i + 3] = 255;
      }
    }
  }

  /** A horizontal dashed line one pixel high from x0 to x1 at row y. */
  dashedHLine(x0: number, x1: number, y: number, color: Rgb, dash = 6, gap = 4): void {
    for (let x = Math.round(x0); x < x1; x += dash + gap) {
      this.fillRect(x, y, Math.min(dash, x1 - x), 1, color);
    }
  }

  /**
   * An anti-aliased polyline of `lineWidth` pixels through `points` (pixel coordinates, where
   * (0.5, 0.5) is the centre of the top-left pixel). One point draws a dot.
   */
  strokePolyline(points: readonly PixelPoint[], color: Rgb, lineWidth = 2): void {
    const first = points[0];
    if (!first) return;
    const half = lineWidth / 2;
    const reach = half + 1;
    let minX = first.x;
    let maxX = first.x;
    let minY = first.y;
    let maxY = first.y;
    for (const p of points) {
      minX = Math.min(minX, p.x);
      maxX = Math.max(maxX, p.x);
      minY = Math.min(minY, p.y);
      maxY = Math.max(maxY, p.y);
    }
    const bx0 = Math.max(0, Math.floor(minX - reach));
    const by0 = Math.max(0, Math.floor(minY - reach));
    const bx1 = Math.min(this.width, Math.ceil(maxX + reach));
    const by1 = Math.min(this.height, Math.ceil(maxY + reach));
    if (bx1 <= bx0 || by1 <= by0) return;
    const bw = bx1 - bx0;
    const mask = new Float32Array(bw * (by1 - by0));
    const segments: [PixelPoint, PixelPoint][] =
      points.length === 1 ? [[first, first]] : points.slice(1).map((p, i) => [points[i] ?? p, p]);
    for (const [a, b] of segments) {
      const sx0 = Math.max(bx0, Math.floor(Math.min(a.x, b.x) - reach));
      const sx1 = Math.min(bx1, Math.ceil(Math.max(a.x, b.x) + reach));
      const sy0 = Math.max(by0, Math.floor(Math.min(a.y, b.y) - reach));
      const sy1 = Math.min(by1, Math.ceil(Math.max(a.y, b.y) + reach));
      const dx = b.x - a.x;
      const dy = b.y - a.y;
      const len2 = dx * dx + dy * dy;
      for (let py = sy0; py < sy1; py++) {
        for (let px = sx0; px < sx1; px++) {
          const cx = px + 0.5;
          const cy = py + 0.5;
          const t = len2 === 0 ? 0 : Math.max(0, Math.min(1, ((cx - a.x) * dx + (cy - a.y) * dy) / len2));
          const ex = cx - (a.x + t * dx);
          const ey = cy - (a.y + t * dy);
          const coverage = Math.max(0, Math.min(1, half + 0.5 - Math.sqrt(ex * ex + ey * ey)));
          const m = (py - by0) * bw + (px - bx0);
          if (coverage > (mask[m] ?? 0)) mask[m] = coverage;
        }
      }
    }
    for (let py = by0; py < by1; py++) {
      for (let px = bx0; px < bx1; px++) this.blend(px, py, color, mask[(py - by0) * bw + (px - bx0)] ?? 0);
    }
  }
}
