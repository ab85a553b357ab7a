/*
 * Reads back what a PDF says, for the checks of tests and scenarios: its text is in compressed
 * streams as glyph numbers of an embedded font, so the streams are inflated and the glyphs mapped
 * through the font's ToUnicode table. Enough for documents with one embedded font (the certificates
 * pdfkit writes here), not a general PDF reader.
 */
import { inflateSync } from 'node:zlib';

export interface PdfFacts {
  /** Starts with %PDF-, ends with %%EOF after a startxref. */
  wellFormed: boolean;
  /** An embedded TrueType font program (FontFile2) is present. */
  embedsTrueType: boolean;
  /** The text shown on the pages, one string per text operator, in order. */
  lines: string[];
}

/** The (decoded) bytes of every stream of the file. */
function streams(pdf: Buffer): Array<{ dict: string; data: Buffer }> {
  const text = pdf.toString('latin1');
  const out: Array<{ dict: string; data: Buffer }> = [];
  const marker = /<<((?:[^<>]|<<(?:[^<>]|<<[^<>]*>>)*>>|<[^<>]*>)*)>>\s*stream\r?\n/g;
  for (let m = marker.exec(text); m; m = marker.exec(text)) {
    const start = m.index + m[0].length;
    const end = text.indexOf('endstream', start);
    if (end < 0) break;
    let data = pdf.subarray(start, end);
    if (/\/FlateDecode/.test(m[1]!)) {
      try {
        data = inflateSync(data);
      } catch {
        continue;
      }
    }
    out.push({ dict: m[1]!, data });
  }
  return out;
}

/** Glyph number (hex) → text, from every ToUnicode CMap (bfrange with arrays or starts, bfchar). */
function toUnicode(cmaps: string[]): Map<number, string> {
  const map = new Map<number, string>();
  const utf16 = (hex: string) => {
    let s = '';
    for (let i = 0; i + 4 <= hex.length; i += 4) s += String.fromCharCode(Number.parseInt(hex.slice(i, i + 4), 16));
    return s;
  };
  for (const cmap of cmaps) {
    for (const [, body] of cmap.matchAll(/beginbfrange([\s\S]*?)endbfrange/g)) {
      for (const [, lo, hi, rest] of body!.matchAll(/<([0-9a-f]+)>\s*<([0-9a-f]+)>\s*(\[[^\]]*\]|<[0-9a-f ]+>)/gi)) {
        const first = Number.parseInt(lo!, 16);
        const last = Number.parseInt(hi!, 16);
        if (rest!.startsWith('[')) {
          const targets = [...rest!.matchAll(/<([0-9a-f ]+)>/gi)].map((t) => utf16(t[1]!.replace(/ /g, '')));
          for (const [i, t] of targets.entries()) map.set(first + i, t);
        } else {
          const base = utf16(rest!.slice(1, -1).replace(/ /g, ''));
          for (let g = first; g <= last; g++)
            map.set(g, base.slice(0, -1) + String.fromCharCode(base.charCodeAt(base.length - 1) + g - first));
        }
      }
    }
    for (const [, body] of cmap.matchAll(/beginbfchar([\s\S]*?)endbfchar/g))
      for (const [, g, t] of body!.matchAll(/<([0-9a-f]+)>\s*<([0-9a-f ]+)>/gi))
        map.set(Number.parseInt(g!, 16), utf16(t!.replace(/ /g, '')));
  }
  return map;
}

export function readPdf(pdf: Buffer): PdfFacts {
  const head = pdf.subarray(0, 8).toString('latin1');
  const tail = pdf.subarray(-64).toString('latin1');
  const all = streams(pdf);
  const glyphs = toUnicode(all.map((s) => s.data.toString('latin1')).filter((s) => s.includes('begincmap')));
  const lines: string[] = [];
  for (const { data } of all) {
    const content = data.toString('latin1');
    if (!/T[Jj]\b/.test(content) || content.includes('begincmap')) continue;
    for (const [, shown] of content.matchAll(/(\[[^\]]*\]|<[0-9a-f]*>)\s*T[Jj]/gi)) {
      let line = '';
      for (const [, hex] of shown!.matchAll(/<([0-9a-f]*)>/gi))
        for (let i = 0; i + 4 <= hex!.length; i += 4)
          line += glyphs.get(Number.parseInt(hex!.slice(i, i + 4), 16)) ?? '�';
      lines.push(line);
    }
  }
  return {
    wellFormed: head.startsWith('%PDF-') && /startxref\s+\d+\s+%%EOF\s*$/.test(tail),
    embedsTrueType: all.some((s) => /\/FontFile2|\/Length1/.test(s.dict)) || pdf.includes('/FontFile2'),
    lines,
  };
}
