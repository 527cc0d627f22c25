// SVG elements for the playground's pictures (timeline, heat map, memory timeline).

const SVG_NS = 'http://www.w3.org/2000/svg';

/** A new SVG element `tag` with `attributes` set, appended to `parent` when given. */
export function svgElement<K extends keyof SVGElementTagNameMap>(
  tag: K, attributes: Record<string, string | number> = {}, parent?: Element,
): SVGElementTagNameMap[K] {
  const element = document.createElementNS(SVG_NS, tag);
  for (const [name, value] of Object.entries(attributes)) element.setAttribute(name, String(value));
  parent?.appendChild(element);
  return element;
}

/** A <text> element holding `text`. */
export function svgText(text: string, attributes: Record<string, string | number>, parent: Element): SVGTextElement {
  const element = svgElement('text', attributes, parent);
  element.textContent = text;
  return element;
}
