import assert from 'node:assert/strict';
import { test } from 'node:test';
import { child, parseXml } from './xml.ts';

test('reads elements, attributes, entities, CDATA and skips comments and the declaration', () => {
  const root = parseXml(`<?xml version="1.0"?>\n<!-- exported -->\n<annotation a='1' b="x &amp; y">
    <filename>a&lt;b&#65;&#x42;.jpg</filename><empty/><note><![CDATA[<raw>]]></note></annotation>`);
  assert.equal(root.name, 'annotation');
  assert.deepEqual(root.attributes, { a: '1', b: 'x & y' });
  assert.equal(child(root, 'filename')?.text, 'a<bAB.jpg');
  assert.deepEqual(child(root, 'empty')?.children, []);
  assert.equal(child(root, 'note')?.text, '<raw>');
});

test('malformed XML is refused with its line', () => {
  assert.throws(() => parseXml('<a>\n<b></a>'), /line 2: <\/a> closes <b>/);
  assert.throws(() => parseXml('<a>x'), /<a> is never closed/);
  assert.throws(() => parseXml('<a>&nbsp;</a>'), /unknown entity &nbsp;/);
  assert.throws(() => parseXml('<a></a><b></b>'), /content after the root element/);
  assert.throws(() => parseXml('<a b=1></a>'), /attribute b value not quoted/);
});
