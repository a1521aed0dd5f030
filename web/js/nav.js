// The shared header: brand, links by role, the signed-in user and logout. Every page calls initPage() first.
import { currentUser, logout, restoreSession } from './api.js';
import { $, clear, h, notice } from './dom.js';
import { roleLabel } from './format.js';

export const STAFF = ['ADMIN', 'OWNER'];
export const SEES_PRICES = ['TALLER', 'ADMIN', 'OWNER'];

/** Where each role starts after logging in. */
export function homeFor(user) {
  if (user?.role === 'BODEGA') return 'bodega.html';
  if (STAFF.includes(user?.role)) return 'admin.html';
  return 'index.html';
}

function links(user) {
  const items = [{ href: 'index.html', text: 'Catálogo' }];
  if (user?.role === 'BODEGA') items.push({ href: 'bodega.html', text: 'Mi bodega' });
  if (STAFF.includes(user?.role)) items.push({ href: 'admin.html', text: 'Administración' });
  if (user) items.push({ href: 'cuenta.html', text: 'Mi cuenta' });
  return items;
}

function currentPage() {
  const name = location.pathname.split('/').pop();
  return name === '' ? 'index.html' : name;
}

export function renderNav() {
  const header = $('#site-header');
  if (!header) return;
  const user = currentUser();
  const page = currentPage();
  const session = user
    ? h('div', { class: 'session' },
      h('span', { class: 'who' }, h('span', { class: 'visually-hidden' }, 'Sesión de '), user.business_name || user.name),
      h('span', { class: 'role-tag' }, roleLabel(user.role)),
      h('button', { type: 'button', class: 'small', id: 'logout', onclick: onLogout }, 'Cerrar sesión'))
    : h('div', { class: 'session' },
      page === 'login.html' ? null : h('a', { class: 'button-link small', href: loginHref() }, 'Iniciar sesión'));
  clear(header,
    h('div', { class: 'bar' },
      h('a', { class: 'brand', href: 'index.html' }, 'Nexus Autoparts'),
      h('nav', { class: 'site-nav', 'aria-label': 'Principal' },
        h('ul', {}, links(user).map((link) =>
          h('li', {}, h('a', { href: link.href, 'aria-current': link.href === page ? 'page' : null }, link.text))))),
      session));
}

/** login.html with ?next= pointing back here, so the user returns where they were. */
export function loginHref(next = currentPage() + location.hash) {
  return `login.html?next=${encodeURIComponent(next)}`;
}

async function onLogout(event) {
  event.currentTarget.disabled = true;
  try {
    await logout();
  } finally {
    location.href = 'index.html';
  }
}

/**
 * Restores the session (a new tab with a session cookie gets a fresh token), draws the header and, when `roles` is
 * given, checks access: a visitor is sent to log in, a user with another role sees why the page is not for them.
 * Returns the user, or null when the page must not go on.
 */
export async function initPage({ roles } = {}) {
  const user = await restoreSession();
  renderNav();
  window.addEventListener('nexus:session', renderNav);
  if (!roles) return user;
  if (!user) {
    location.replace(loginHref());
    return null;
  }
  if (!roles.includes(user.role)) {
    const main = $('main');
    clear(main,
      h('h1', {}, 'Sin acceso'),
      notice('warn', 'Esta sección no es para tu tipo de cuenta',
        `Tu cuenta es de tipo ${roleLabel(user.role)}. Desde aquí puedes volver a tu inicio.`),
      h('a', { class: 'button-link', href: homeFor(user) }, 'Ir a mi inicio'));
    return null;
  }
  return user;
}
