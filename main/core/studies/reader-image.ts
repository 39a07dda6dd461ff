// A case image as a reader receives it: the pixels upright (the EXIF orientation applied, so they match the
// stored width, height and boxes), in a format every browser shows, and with no metadata — a camera's EXIF or
// XMP can carry dates, device serials or a patient's name, which a blinded reader must not get.
import sharp from 'sharp';
import type { BinaryBody } from '../../contract/index.ts';

export async function readerImage(path: string, extension: string): Promise<BinaryBody> {
  const image = sharp(path, { failOn: 'error' }).rotate();
  switch (extension.toLowerCase()) {
    case 'jpg':
    case 'jpeg':
      // near-lossless re-encoding, no chroma subsampling: diagnostic detail is kept
      return {
        mime: 'image/jpeg',
        bytes: await image.jpeg({ quality: 95, chromaSubsampling: '4:4:4' }).toBuffer(),
      };
    case 'webp':
      return { mime: 'image/webp', bytes: await image.webp({ lossless: true }).toBuffer() };
    default:
      return { mime: 'image/png', bytes: await image.png().toBuffer() };
  }
}
