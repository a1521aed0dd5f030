// Small DOM helpers. Text always goes in as text (never as HTML), so API data cannot inject markup.

/**
 * h('a', { href: '#', class: 'x', onclick: fn }, 'text', child) → element.
 * Attributes starting with "on" become listeners; null/undefined/false attributes and children are skipped.
 */
export function h(tag, attributes = {}, ...children) {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes ?? {})) {
    if (value === null || value === undefined || value === false) continue;
    if (name.startsWith('on') && typeof value === 'function') {
      element.addEventListener(name.slice(2), value);
    } else if (name === 'class') {
      element.className = value;
    } else if (name === 'dataset') {
      Object.assign(element.dataset, value);
    } else if (value === true) {
      element.setAttribute(name, '');
    } else {
      element.setAttribute(name, String(value));
    }
  }
  append(element, children);
  return element;
}

function append(element, children) {
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    if (Array.isArray(child)) append(element, child);
    else element.append(child instanceof Node ? child : String(child));
  }
}

export const $ = (selector, root = document) => root.querySelector(selector);

export function clear(element, ...children) {
  element.replaceChildren();
  append(element, children);
  return element;
}

/** A notice box: kind is 'error', 'ok', 'info' or 'warn'. Errors are announced (role=alert). */
export function notice(kind, title, detail) {
  return h('div', { class: `notice ${kind}`, role: kind === 'error' ? 'alert' : 'status' },
    h('strong', {}, title),
    detail ? h('p', {}, detail) : null);
}

/** The notice of an ApiError (or any error), in Spanish. */
export function errorNotice(error, prefix) {
  const title = prefix ? `${prefix}: ${error.title ?? error.message}` : (error.title ?? error.message);
  return notice('error', title, error.detail);
}

export function loading(text = 'Cargando…') {
  return h('p', { class: 'status-line loading', role: 'status' }, text);
}

export function empty(text) {
  return h('p', { class: 'empty' }, text);
}

/** A table whose cells carry data-label, so it stacks into cards on phones (class "stack"). */
export function table(headers, rows, { caption, stack = true, className = '' } = {}) {
  return h('div', { class: 'table-wrap' },
    h('table', { class: `${stack ? 'stack' : ''} ${className}`.trim() },
      caption ? h('caption', {}, caption) : null,
      h('thead', {}, h('tr', {}, headers.map((header) =>
        h('th', { scope: 'col', class: header.num ? 'num' : null }, header.label ?? header)))),
      h('tbody', {}, rows.map((cells) => h('tr', {}, cells.map((cell, i) =>
        h('td', { 'data-label': headers[i].label ?? headers[i], class: headers[i].num ? 'num' : null }, cell)))))));
}

/** Shows field errors of a validation problem next to the inputs named in `fields` ({ api_name: inputElement }). */
export function showFieldErrors(form, fields, errors) {
  for (const old of form.querySelectorAll('.field-error')) old.remove();
  for (const input of form.querySelectorAll('[aria-invalid]')) {
    input.removeAttribute('aria-invalid');
    input.removeAttribute('aria-describedby');
  }
  let first = null;
  for (const [name, messages] of Object.entries(errors ?? {})) {
    const input = fields[name];
    if (!input) continue;
    const id = `${input.id}-error`;
    input.setAttribute('aria-invalid', 'true');
    input.setAttribute('aria-describedby', id);
    const holder = input.closest('.field') ?? input.parentElement;
    holder.append(h('p', { class: 'field-error', id }, messages.join(' ')));
    first ??= input;
  }
  first?.focus();
  return first !== null;
}

/** Downloads a Blob under a file name (for CSV files fetched with the bearer token). */
export function saveBlob(blob, filename) {
  const url = URL.createObjectURL(blob);
  const link = h('a', { href: url, download: filename, hidden: true });
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

/**
 * A modal confirmation (<dialog>): resolves true when confirmed. Escape or "Cancelar" resolve false.
 * `extra` is an optional element (e.g. an input) shown between the text and the buttons.
 */
export function confirmDialog({ title, text, confirmLabel = 'Confirmar', danger = false, extra = null }) {
  return new Promise((resolve) => {
    const titleId = `dialog-title-${Date.now()}`;
    const cancel = h('button', { type: 'button', class: 'secondary', value: 'cancel' }, 'Cancelar');
    const confirm = h('button', { type: 'button', class: danger ? 'danger' : null, value: 'ok' }, confirmLabel);
    const dialog = h('dialog', { 'aria-labelledby': titleId },
      h('h2', { id: titleId }, title),
      text ? h('p', {}, text) : null,
      extra,
      h('div', { class: 'actions' }, cancel, confirm));
    const finish = (answer) => {
      dialog.close();
      dialog.remove();
      resolve(answer);
    };
    cancel.addEventListener('click', () => finish(false));
    confirm.addEventListener('click', () => finish(true));
    dialog.addEventListener('cancel', (event) => {
      event.preventDefault();
      finish(false);
    });
    document.body.append(dialog);
    dialog.showModal();
    (extra?.querySelector('input') ?? cancel).focus();
  });
}

/** A <progress> with its percentage as text; value null = indeterminate (working, amount unknown). */
export function progressBar(value, max, label) {
  const known = value !== null && value !== undefined && max > 0;
  const pct = known ? Math.min(100, Math.round((value / max) * 100)) : null;
  return h('div', { class: 'progress-row' },
    h('progress', { max: known ? max : null, value: known ? value : null, 'aria-label': label }),
    h('span', { class: 'pct' }, known ? `${pct} %` : '…'));
}
