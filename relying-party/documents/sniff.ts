/*
 * What a file is, by its first bytes, never by its name or the browser's Content-Type: a renamed
 * program must not pass as a scan. Accepted: PDF, JPEG, PNG. Everything else is named as precisely
 * as its signature allows, so the refusal can say what was actually sent.
 */

export interface Sniffed {
  /** Accepted as a document scan. */
  accepted: boolean;
  /** A program or script: refused with its own message, whatever the name says. */
  executable: boolean;
  /** The MIME type a download is served with (accepted kinds only). */
  contentType?: string;
  /** The usual extension of an accepted kind, for the download's file name. */
  extension?: string;
  /** What it is, in Russian: «PDF-документ», «программа Windows (MZ)». */
  label: string;
}

/** Bytes the sniffer needs: the longest signature below. */
export const sniffLength = 16;

interface Signature {
  bytes: readonly number[];
  /** Offset of the signature in the file (0 unless said). */
  at?: number;
  sniffed: Sniffed;
}

const ascii = (text: string) => [...text].map((c) => c.charCodeAt(0));
const accepted = (label: string, contentType: string, extension: string): Sniffed => ({
  accepted: true,
  executable: false,
  contentType,
  extension,
  label,
});
const program = (label: string): Sniffed => ({ accepted: false, executable: true, label });
const other = (label: string): Sniffed => ({ accepted: false, executable: false, label });

const signatures: readonly Signature[] = [
  { bytes: ascii('%PDF-'), sniffed: accepted('PDF-документ', 'application/pdf', 'pdf') },
  { bytes: [0xff, 0xd8, 0xff], sniffed: accepted('изображение JPEG', 'image/jpeg', 'jpg') },
  {
    bytes: [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a],
    sniffed: accepted('изображение PNG', 'image/png', 'png'),
  },
  { bytes: ascii('MZ'), sniffed: program('программа Windows (MZ)') },
  { bytes: [0x7f, 0x45, 0x4c, 0x46], sniffed: program('программа Linux (ELF)') },
  { bytes: [0xcf, 0xfa, 0xed, 0xfe], sniffed: program('программа macOS (Mach-O)') },
  { bytes: [0xfe, 0xed, 0xfa, 0xcf], sniffed: program('программа macOS (Mach-O)') },
  { bytes: [0xca, 0xfe, 0xba, 0xbe], sniffed: program('программа macOS или Java (CAFEBABE)') },
  { bytes: ascii('#!'), sniffed: program('сценарий для запуска (#!)') },
  { bytes: [0x50, 0x4b, 0x03, 0x04], sniffed: other('архив ZIP или документ Office') },
  { bytes: ascii('Rar!'), sniffed: other('архив RAR') },
  { bytes: [0x1f, 0x8b], sniffed: other('архив GZIP') },
  { bytes: [0x37, 0x7a, 0xbc, 0xaf, 0x27, 0x1c], sniffed: other('архив 7-Zip') },
  { bytes: [0xd0, 0xcf, 0x11, 0xe0], sniffed: other('документ старого Office (DOC, XLS)') },
  { bytes: ascii('GIF8'), sniffed: other('изображение GIF') },
  { bytes: ascii('BM'), sniffed: other('изображение BMP') },
  { bytes: ascii('II*\0'), sniffed: other('изображение TIFF') },
  { bytes: ascii('MM\0*'), sniffed: other('изображение TIFF') },
  { bytes: ascii('WEBP'), at: 8, sniffed: other('изображение WebP') },
  { bytes: ascii('ftyp'), at: 4, sniffed: other('изображение HEIC или видео') },
  { bytes: ascii('{\\rtf'), sniffed: other('документ RTF') },
];

/** What the file's first bytes (at least sniffLength of them, fewer only when the file is shorter) say it is. */
export function sniff(head: Uint8Array): Sniffed {
  for (const { bytes, at = 0, sniffed } of signatures) {
    if (head.length >= at + bytes.length && bytes.every((b, i) => head[at + i] === b)) return sniffed;
  }
  const text = head.every((b) => b === 0x09 || b === 0x0a || b === 0x0d || (b >= 0x20 && b !== 0x7f) || b >= 0x80);
  if (text && /^\s*</.test(Buffer.from(head).toString('latin1'))) return other('страница HTML или XML');
  return other(text ? 'текстовый файл' : 'файл неизвестного формата');
}
