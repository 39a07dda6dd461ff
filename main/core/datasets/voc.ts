import { readdir, readFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import type { SourceBox, SourceDataset, SourceImage } from './source.ts';
import { child, parseXml, type XmlElement } from './xml.ts';

/**
 * Reads every *.xml of a Pascal VOC folder (sorted by name); images are `imagesDir/<filename>`. Reads the
 * fields the training module writes too (<image_id>, <group>, <metadata><entry key type>). Errors name the file.
 */
export async function readVoc(vocDir: string, imagesDir: string): Promise<SourceDataset> {
  const files = (await readdir(vocDir)).filter((f) => f.toLowerCase().endsWith('.xml')).sort();
  if (files.length === 0) throw new Error(`${vocDir}: no .xml files`);
  const images: SourceImage[] = [];
  const names = new Set<string>();
  for (const file of files) {
    const path = join(vocDir, file);
    let root: XmlElement;
    try {
      root = parseXml(await readFile(path, 'utf8'));
    } catch (error) {
      throw new Error(`${path}: ${(error as Error).message}`);
    }
    const image = readAnnotation(root, path, imagesDir);
    image.boxes.forEach((b) => names.add(b.category));
    images.push(image);
  }
  const seen = new Set<string>();
  for (const image of images) {
    if (seen.has(image.externalId)) throw new Error(`${image.where}: duplicate image id ${image.externalId}`);
    seen.add(image.externalId);
  }
  return {
    format: 'voc',
    sourcePath: vocDir,
    categories: [...names].sort().map((name) => ({ sourceId: name, name })),
    images,
  };
}

function readAnnotation(root: XmlElement, where: string, imagesDir: string): SourceImage {
  if (root.name !== 'annotation')
    throw new Error(`${where}: root element is <${root.name}>, expected <annotation>`);
  const text = (parent: XmlElement, name: string, at: string): string => {
    const value = child(parent, name)?.text.trim();
    if (!value) throw new Error(`${at}: missing <${name}>`);
    return value;
  };
  const number = (parent: XmlElement, name: string, at: string): number => {
    const raw = text(parent, name, at);
    const value = Number(raw);
    if (!Number.isFinite(value)) throw new Error(`${at}: <${name}> is not a number: '${raw}'`);
    return value;
  };
  const fileName = text(root, 'filename', where);
  const size = child(root, 'size');
  if (!size) throw new Error(`${where}: missing <size>`);
  const width = number(size, 'width', `${where}: <size>`);
  const height = number(size, 'height', `${where}: <size>`);
  if (!(Number.isInteger(width) && Number.isInteger(height) && width > 0 && height > 0)) {
    throw new Error(`${where}: <size> must be positive integers, got ${width}x${height}`);
  }
  const metadata: Record<string, unknown> = {};
  for (const entry of child(root, 'metadata')?.children ?? []) {
    if (entry.name !== 'entry') continue;
    const key = entry.attributes.key;
    if (!key) throw new Error(`${where}: <metadata> <entry> without key`);
    metadata[key] = metadataValue(entry, `${where}: <metadata> entry '${key}'`);
  }
  const boxes: SourceBox[] = root.children
    .filter((c) => c.name === 'object')
    .map((object, i) => {
      const at = `${where}: <object> ${i + 1}`;
      const bndbox = child(object, 'bndbox');
      if (!bndbox) throw new Error(`${at}: missing <bndbox>`);
      const [xmin, ymin, xmax, ymax] = ['xmin', 'ymin', 'xmax', 'ymax'].map((k) =>
        number(bndbox, k, `${at} <bndbox>`),
      );
      return {
        category: text(object, 'name', at),
        x: xmin,
        y: ymin,
        w: xmax - xmin,
        h: ymax - ymin,
        sourceId: null,
        where: at,
      };
    });
  const group = child(root, 'group')?.text.trim();
  return {
    externalId: child(root, 'image_id')?.text.trim() || basename(fileName).replace(/\.[^.]+$/, ''),
    fileName,
    path: join(imagesDir, fileName),
    declaredWidth: width,
    declaredHeight: height,
    group: group || null,
    metadata,
    boxes,
    where,
  };
}

function metadataValue(entry: XmlElement, at: string): unknown {
  const type = entry.attributes.type ?? 'str';
  const raw = entry.text;
  if (type === 'null') return null;
  if (type === 'str') return raw;
  if (type === 'int' || type === 'float') {
    const value = Number(raw);
    if (raw.trim() === '' || !Number.isFinite(value) || (type === 'int' && !Number.isInteger(value))) {
      throw new Error(`${at}: is not ${type}: '${raw}'`);
    }
    return value;
  }
  throw new Error(`${at}: unknown type '${type}'`);
}
