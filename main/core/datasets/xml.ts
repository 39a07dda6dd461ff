// A small strict XML reader, enough for Pascal VOC files: elements, attributes, text, CDATA, comments, the
// declaration and the five entities plus numeric references. Malformed input throws with the line number.

export interface XmlElement {
  name: string;
  attributes: Record<string, string>;
  children: XmlElement[];
  text: string;
}

const ENTITIES: Record<string, string> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" };
const NAME = /^[A-Za-z_:][\w.:-]*/;

export function parseXml(source: string): XmlElement {
  let pos = 0;
  const fail = (message: string): never => {
    const line = source.slice(0, pos).split('\n').length;
    throw new Error(`malformed XML at line ${line}: ${message}`);
  };
  const decode = (text: string): string =>
    text.replace(/&(#x[0-9a-fA-F]+|#\d+|\w+);|&/g, (match, entity: string | undefined) => {
      if (!entity) return fail("bare '&'");
      if (entity.startsWith('#x')) return String.fromCodePoint(parseInt(entity.slice(2), 16));
      if (entity.startsWith('#')) return String.fromCodePoint(parseInt(entity.slice(1), 10));
      return ENTITIES[entity] ?? fail(`unknown entity ${match}`);
    });
  const skipMisc = () => {
    for (;;) {
      while (pos < source.length && /\s/.test(source[pos])) pos++;
      if (source.startsWith('<?', pos)) {
        const end = source.indexOf('?>', pos);
        if (end < 0) fail('unterminated <?');
        pos = end + 2;
      } else if (source.startsWith('<!--', pos)) {
        const end = source.indexOf('-->', pos);
        if (end < 0) fail('unterminated comment');
        pos = end + 3;
      } else if (source.startsWith('<!DOCTYPE', pos)) {
        const end = source.indexOf('>', pos);
        if (end < 0) fail('unterminated <!DOCTYPE');
        pos = end + 1;
      } else return;
    }
  };
  const readName = (): string => {
    const match = NAME.exec(source.slice(pos, pos + 200));
    if (!match) fail(`expected a name, found ${JSON.stringify(source.slice(pos, pos + 10))}`);
    pos += match![0].length;
    return match![0];
  };
  const readElement = (): XmlElement => {
    if (source[pos] !== '<') fail('expected <');
    pos++;
    const element: XmlElement = { name: readName(), attributes: {}, children: [], text: '' };
    for (;;) {
      while (/\s/.test(source[pos] ?? '')) pos++;
      if (source.startsWith('/>', pos)) {
        pos += 2;
        return element;
      }
      if (source[pos] === '>') {
        pos++;
        break;
      }
      if (pos >= source.length) fail(`unterminated <${element.name}>`);
      const attribute = readName();
      while (/\s/.test(source[pos] ?? '')) pos++;
      if (source[pos] !== '=') fail(`attribute ${attribute} without value`);
      pos++;
      while (/\s/.test(source[pos] ?? '')) pos++;
      const quote = source[pos];
      if (quote !== '"' && quote !== "'") fail(`attribute ${attribute} value not quoted`);
      const end = source.indexOf(quote, pos + 1);
      if (end < 0) fail(`unterminated attribute ${attribute}`);
      element.attributes[attribute] = decode(source.slice(pos + 1, end));
      pos = end + 1;
    }
    for (;;) {
      const next = source.indexOf('<', pos);
      if (next < 0) fail(`<${element.name}> is never closed`);
      element.text += decode(source.slice(pos, next));
      pos = next;
      if (source.startsWith('</', pos)) {
        pos += 2;
        const name = readName();
        if (name !== element.name) fail(`</${name}> closes <${element.name}>`);
        while (/\s/.test(source[pos] ?? '')) pos++;
        if (source[pos] !== '>') fail(`expected > after </${name}`);
        pos++;
        return element;
      }
      if (source.startsWith('<!--', pos)) {
        const end = source.indexOf('-->', pos);
        if (end < 0) fail('unterminated comment');
        pos = end + 3;
      } else if (source.startsWith('<![CDATA[', pos)) {
        const end = source.indexOf(']]>', pos);
        if (end < 0) fail('unterminated CDATA');
        element.text += source.slice(pos + 9, end);
        pos = end + 3;
      } else {
        element.children.push(readElement());
      }
    }
  };
  skipMisc();
  const root = readElement();
  skipMisc();
  if (pos < source.length) fail('content after the root element');
  return root;
}

export function child(element: XmlElement, name: string): XmlElement | undefined {
  return element.children.find((c) => c.name === name);
}
