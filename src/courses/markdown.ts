import MarkdownIt from 'markdown-it';
import sanitizeHtml from 'sanitize-html';

/**
 * Lesson Markdown → safe HTML. Raw HTML in a lesson is escaped by markdown-it and the
 * result is sanitised anyway (course files are reviewed, but a question bank or a
 * future editor may not be). Images point into the course's own images folder; a line
 * holding only a YouTube or Vimeo address becomes a plain link card, so no third-party
 * player or script ever loads.
 */

const markdown = new MarkdownIt({ html: false, linkify: true, typographer: true });

const VIDEO_LINE = /^<p>(?:<a href="[^"]*">)?(https:\/\/(?:www\.)?(?:youtube\.com\/watch\?v=[\w-]+|youtu\.be\/[\w-]+|vimeo\.com\/\d+)[^<\s]*)(?:<\/a>)?<\/p>$/gm;

export function renderLesson(source: string, courseSlug: string, videoLabel: string): string {
  const html = markdown
    .render(source)
    .replace(VIDEO_LINE, (_line, url: string) => `<p class="video-link"><a href="${url}" rel="noopener noreferrer" target="_blank">${videoLabel}</a></p>`);
  return sanitizeHtml(html, {
    allowedTags: [
      'h2', 'h3', 'h4', 'h5', 'h6', 'p', 'br', 'hr', 'blockquote', 'ul', 'ol', 'li', 'strong', 'em', 'code', 'pre',
      'a', 'img', 'table', 'thead', 'tbody', 'tr', 'th', 'td', 'sup', 'sub', 'del',
    ],
    allowedAttributes: { a: ['href', 'title', 'rel', 'target'], img: ['src', 'alt', 'title', 'loading'], th: ['align', 'scope'], td: ['align'], p: ['class'] },
    allowedClasses: { p: ['video-link'] },
    allowedSchemes: ['https', 'http', 'mailto'],
    allowedSchemesByTag: { img: [] },
    transformTags: {
      img: (tagName, attributes) => ({ tagName, attribs: { ...attributes, src: imageSource(attributes.src ?? '', courseSlug), loading: 'lazy' } }),
      a: (tagName, attributes) =>
        /^https?:/.test(attributes.href ?? '') ? { tagName, attribs: { ...attributes, rel: 'noopener noreferrer' } } : { tagName, attribs: attributes },
      th: (tagName, attributes) => ({ tagName, attribs: { ...attributes, scope: 'col' } }),
    },
  });
}

/** `../images/x.svg` (relative to the lesson) → the course's image route; anything else is dropped. */
function imageSource(source: string, courseSlug: string): string {
  const match = /^(?:\.\.\/|\.\/)?images\/([\w.-]+\.(?:svg|png|jpe?g|webp))$/i.exec(source);
  return match ? `/course-files/${courseSlug}/images/${match[1]}` : '';
}
