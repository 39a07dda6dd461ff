// The common shape that COCO and VOC readers produce and the importer stores.

export interface SourceBox {
  category: string;
  x: number;
  y: number;
  w: number;
  h: number;
  sourceId: string | null;
  /** Where the box came from, for error messages: "annotations.json: annotations[12]". */
  where: string;
}

export interface SourceImage {
  externalId: string;
  fileName: string;
  /** Resolved path of the image file. */
  path: string;
  declaredWidth: number;
  declaredHeight: number;
  group: string | null;
  metadata: Record<string, unknown>;
  boxes: SourceBox[];
  where: string;
}

export interface SourceDataset {
  format: 'coco' | 'voc';
  sourcePath: string;
  /** Declared categories: source id (COCO id or VOC name) and name. */
  categories: { sourceId: string; name: string }[];
  images: SourceImage[];
}
