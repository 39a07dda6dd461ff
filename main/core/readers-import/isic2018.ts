// The ISIC 2018 reader study (Tschandl et al., Lancet Oncology 2019; CC0): per image, how many readers chose
// each of the 7 HAM10000 categories. Imported as one reader group whose per-category scores are the vote
// fractions, so a model can be compared with those readers on the same images.
import { z } from 'zod';
import { CsvError, parseCsv, requireColumns } from './csv.ts';

/** The study's column names, mapped to the HAM10000 `dx` codes used by the data set and the models. */
export const ISIC_CATEGORIES = {
  AKIEC: 'akiec',
  BCC: 'bcc',
  BKL: 'bkl',
  DF: 'df',
  MEL: 'mel',
  NV: 'nv',
  VASC: 'vasc',
} as const;

export interface IsicVotes {
  line: number;
  imageId: string;
  /** Votes per category, in the order of `categories`. */
  votes: number[];
  /** The ground truth the study file carries (a HAM10000 dx code). */
  truth: string;
}

export interface IsicReaderGroup {
  name: string;
  categories: string[];
  images: IsicVotes[];
}

const voteCount = z.coerce
  .number({ error: 'must be a number' })
  .int('must be a whole number')
  .nonnegative('must not be negative');

/** Parses one of the study's CSV files (the column order differs between files; columns are read by name). */
export function parseIsicReaderStudy(text: string, source: string, name: string): IsicReaderGroup {
  const table = parseCsv(text, source);
  const columns = Object.keys(ISIC_CATEGORIES) as (keyof typeof ISIC_CATEGORIES)[];
  requireColumns(table, ['isic_id', ...columns, 'image_diag_id'], source);
  const categories = columns.map((c) => ISIC_CATEGORIES[c]);
  const errors: string[] = [];
  const images: IsicVotes[] = [];
  const seen = new Map<string, number>();
  for (const { line, values } of table.rows) {
    const imageId = values.isic_id.trim();
    if (!/^ISIC_\d+$/.test(imageId))
      errors.push(`line ${line}: isic_id "${imageId}" is not an ISIC image id`);
    const votes = columns.map((column) => {
      const parsed = voteCount.safeParse(values[column].trim() === '' ? undefined : values[column]);
      if (!parsed.success)
        errors.push(`line ${line}: ${column} ${parsed.error.issues[0].message} (got "${values[column]}")`);
      return parsed.success ? parsed.data : 0;
    });
    const diagnosis = values.image_diag_id.trim().toUpperCase() as keyof typeof ISIC_CATEGORIES;
    if (!(diagnosis in ISIC_CATEGORIES))
      errors.push(
        `line ${line}: image_diag_id "${values.image_diag_id}" is not one of ${columns.join(', ')}`,
      );
    if (votes.every((v) => v === 0)) errors.push(`line ${line}: image ${imageId} has no votes`);
    const previous = seen.get(imageId);
    if (previous !== undefined)
      errors.push(`line ${line}: image ${imageId} already listed on line ${previous}`);
    seen.set(imageId, line);
    images.push({ line, imageId, votes, truth: ISIC_CATEGORIES[diagnosis] });
  }
  if (errors.length) {
    const more = errors.length > 20 ? `\n... and ${errors.length - 20} more` : '';
    throw new CsvError(`${source}: ${errors.length} error(s)\n${errors.slice(0, 20).join('\n')}${more}`);
  }
  return { name, categories, images };
}

/** Vote fractions in the order of `categories` (which must name the group's categories, in any order). */
export function voteFractions(
  image: IsicVotes,
  group: IsicReaderGroup,
  categories: readonly string[],
): Float64Array {
  const total = image.votes.reduce((s, v) => s + v, 0);
  return Float64Array.from(categories, (category) => {
    const index = group.categories.indexOf(category);
    if (index < 0)
      throw new Error(
        `category "${category}" is not in the ISIC 2018 reader study (${group.categories.join(', ')})`,
      );
    return image.votes[index] / total;
  });
}
