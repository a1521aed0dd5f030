// Mexican Spanish formats: $450.00, 12 ene 2026, "hace 2 horas".

const LOCALE = 'es-MX';
const currency = new Intl.NumberFormat(LOCALE, { style: 'currency', currency: 'MXN' });
const integer = new Intl.NumberFormat(LOCALE, { maximumFractionDigits: 0 });
const dateTime = new Intl.DateTimeFormat(LOCALE, { dateStyle: 'medium', timeStyle: 'short' });
const dateOnly = new Intl.DateTimeFormat(LOCALE, { dateStyle: 'medium' });
const relative = new Intl.RelativeTimeFormat(LOCALE, { numeric: 'auto' });

export const money = (value) => (value === null || value === undefined ? '—' : currency.format(Number(value)));

export const count = (value) => (value === null || value === undefined ? '—' : integer.format(Number(value)));

export const date = (value) => (value ? dateTime.format(new Date(value)) : '—');

export const day = (value) => (value ? dateOnly.format(new Date(value)) : '—');

const UNITS = [
  ['year', 365 * 24 * 3600],
  ['month', 30 * 24 * 3600],
  ['week', 7 * 24 * 3600],
  ['day', 24 * 3600],
  ['hour', 3600],
  ['minute', 60],
];

/** "hace 2 horas", "hace 5 minutos", "ahora". */
export function ago(value, now = Date.now()) {
  if (!value) return '—';
  const seconds = Math.round((new Date(value).getTime() - now) / 1000);
  for (const [unit, size] of UNITS) {
    if (Math.abs(seconds) >= size) return relative.format(Math.trunc(seconds / size), unit);
  }
  return 'ahora';
}

/** A <time> element showing how fresh a value is, with the exact date on hover and for screen readers. */
export function freshness(value) {
  const element = document.createElement('time');
  element.dateTime = value ?? '';
  element.title = date(value);
  element.textContent = ago(value);
  return element;
}

export const ROLE_LABELS = {
  TALLER: 'Taller',
  BODEGA: 'Bodega',
  ADMIN: 'Administrador',
  OWNER: 'Dueño',
};

export const roleLabel = (role) => ROLE_LABELS[role] ?? role;
