/* What a document file is, by its first bytes: the three accepted kinds, programs under any name, the rest named. */
import test from 'ava';
import { sniff } from '../../relying-party/documents/sniff.ts';

const bytes = (...b: (number | string)[]) =>
  Buffer.concat(b.map((x) => (typeof x === 'string' ? Buffer.from(x, 'latin1') : Buffer.from([x]))));

test('PDF, JPEG and PNG are accepted with their MIME type', (t) => {
  t.like(sniff(bytes('%PDF-1.7\n%\xe2\xe3')), { accepted: true, contentType: 'application/pdf' });
  t.like(sniff(bytes(0xff, 0xd8, 0xff, 0xe0, 0, 0x10, 'JFIF')), { accepted: true, contentType: 'image/jpeg' });
  t.like(sniff(bytes(0x89, 'PNG\r\n\x1a\n', 0, 0, 0, 13, 'IHDR')), { accepted: true, contentType: 'image/png' });
});

test('programs and scripts are executables, whatever else the bytes resemble', (t) => {
  t.like(sniff(bytes('MZ\x90\x00\x03')), { accepted: false, executable: true, label: 'программа Windows (MZ)' });
  t.like(sniff(bytes(0x7f, 'ELF\x02\x01\x01')), { executable: true, label: 'программа Linux (ELF)' });
  t.like(sniff(bytes('#!/usr/bin/env python3\n')), { executable: true, label: 'сценарий для запуска (#!)' });
  t.like(sniff(bytes(0xcf, 0xfa, 0xed, 0xfe, 7, 0, 0, 1)), { executable: true });
});

test('near misses and other formats are refused and named', (t) => {
  t.like(sniff(bytes('%PDF')), { accepted: false, label: 'текстовый файл' }); // the dash is part of the signature
  t.like(sniff(bytes(0xff, 0xd8, 0x00)), { accepted: false, executable: false });
  t.like(sniff(bytes(0x89, 'PNG\r\n')), { accepted: false });
  t.like(sniff(bytes('PK\x03\x04\x14\x00')), { accepted: false, label: 'архив ZIP или документ Office' });
  t.like(sniff(bytes('GIF89a')), { label: 'изображение GIF' });
  t.like(sniff(bytes('RIFF\x00\x00\x00\x00WEBPVP8 ')), { label: 'изображение WebP' });
  t.like(sniff(bytes('<!doctype html><script>')), { label: 'страница HTML или XML' });
  t.like(sniff(bytes('Иванов'.normalize())), { accepted: false });
  t.like(sniff(bytes(0, 1, 2, 3)), { accepted: false, executable: false, label: 'файл неизвестного формата' });
  t.like(sniff(new Uint8Array()), { accepted: false });
});
