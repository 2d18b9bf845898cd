import { Parser } from 'htmlparser2';

/**
 * A small XML tree for checking server-drawn SVG. htmlparser2 (already installed with
 * sanitize-html) does the tokenising; it forgives what a browser's XML parser refuses,
 * so the strict parts are checked here: one root, every element closed explicitly and
 * in order, attributes not repeated, and no bare `&` or `<` in text or attributes.
 */
export interface XmlElement {
  name: string;
  attributes: Record<string, string>;
  children: XmlElement[];
  /** The element's own text, entities decoded. */
  text: string;
}

const BARE_AMPERSAND = /&(?!(?:[a-zA-Z]+|#[0-9]+|#x[0-9a-fA-F]+);)/;

export function parseXml(source: string): XmlElement {
  const problems: string[] = [];
  const roots: XmlElement[] = [];
  const open: XmlElement[] = [];
  const parser = new Parser(
    {
      onopentag(name, attributes) {
        const element: XmlElement = { name, attributes, children: [], text: '' };
        (open.at(-1)?.children ?? roots).push(element);
        open.push(element);
      },
      onclosetag(name, isImplied) {
        const element = open.pop();
        if (isImplied && !source.slice(0, parser.endIndex + 1).endsWith('/>')) problems.push(`<${name}> closed implicitly`);
        if (element?.name !== name) problems.push(`</${name}> closes <${element?.name ?? 'nothing'}>`);
      },
      ontext(text) {
        const element = open.at(-1);
        if (element) element.text += text;
        else if (text.trim()) problems.push(`text outside the root: ${text.trim()}`);
      },
    },
    { xmlMode: true, decodeEntities: true, recognizeSelfClosing: true },
  );
  // What the tokeniser decodes silently, checked on the source.
  if (BARE_AMPERSAND.test(source)) problems.push('a bare & (not an entity)');
  for (const tag of source.matchAll(/<[a-zA-Z][^>]*>/g)) {
    const match = /^<([a-zA-Z][\w:-]*)((?:\s+[\w:-]+="[^"]*")*)\s*\/?>$/.exec(tag[0]);
    if (!match) {
      problems.push(`malformed tag ${tag[0]}`);
      continue;
    }
    const names = [...match[2]!.matchAll(/([\w:-]+)="/g)].map((attribute) => attribute[1]);
    if (new Set(names).size !== names.length) problems.push(`repeated attribute in <${match[1]}>`);
    if (/="[^"]*</.test(match[2]!)) problems.push(`a bare < in an attribute of <${match[1]}>`);
  }
  parser.end(source);
  if (open.length > 0) problems.push(`unclosed <${open.map((element) => element.name).join('>, <')}>`);
  if (roots.length !== 1) problems.push(`${roots.length} root elements`);
  if (problems.length > 0) throw new Error(`not well-formed XML: ${problems.join('; ')}`);
  return roots[0]!;
}

/** Every element of that name under `root` (itself included), in document order. */
export function elementsNamed(root: XmlElement, name: string): XmlElement[] {
  const found: XmlElement[] = root.name === name ? [root] : [];
  for (const child of root.children) found.push(...elementsNamed(child, name));
  return found;
}

/** The text of the element and everything inside it. */
export function textOf(element: XmlElement): string {
  return element.text + element.children.map(textOf).join('');
}
