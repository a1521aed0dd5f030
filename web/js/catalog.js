// The catalog page: search (#buscar?…), part detail (#pieza/ID), vehicle browse; prices only for talleres and staff.
import { api, currentUser } from './api.js';
import { $, clear, empty, errorNotice, h, loading, notice, table } from './dom.js';
import { count, freshness, money } from './format.js';
import { initPage, loginHref, SEES_PRICES } from './nav.js';

const view = $('#view');
const form = $('#search-form');
const input = $('#q');
const make = $('#make');
const model = $('#model');
const year = $('#year');
const category = $('#category');
const PAGE_SIZE = 20;
const FILTERS = ['brand', 'model', 'year', 'category_id'];

let renderToken = 0;

// ---- routing ---------------------------------------------------------------------------------------------------

function route() {
  const hash = decodeURIComponent(location.hash.slice(1));
  const token = ++renderToken;
  const part = hash.match(/^pieza\/(\d+)$/);
  if (part) return showPart(Number(part[1]), token);
  if (hash.startsWith('buscar?')) return showResults(new URLSearchParams(hash.slice('buscar?'.length)), token);
  return showWelcome();
}

function searchHash(params) {
  return `#buscar?${params.toString()}`;
}

function currentParams(page = 1) {
  const params = new URLSearchParams();
  const q = input.value.trim();
  if (q) params.set('q', q);
  if (make.value) params.set('brand', make.value);
  if (model.value) params.set('model', model.value);
  if (year.value) params.set('year', year.value);
  if (category.value) params.set('category_id', category.value);
  if (page > 1) params.set('page', String(page));
  return params;
}

// ---- welcome ---------------------------------------------------------------------------------------------------

function showWelcome() {
  const user = currentUser();
  clear(view,
    empty('Escribe un número de parte o un nombre, o elige un vehículo, para empezar.'),
    user ? null : invitation('¿Tienes un taller?',
      'Regístrate gratis para ver precios y existencias de las bodegas de tu zona.'));
}

function invitation(title, text, next) {
  return h('section', { class: 'panel invite', 'aria-label': 'Acceso para talleres' },
    h('h2', {}, title),
    h('p', {}, text),
    h('div', { class: 'actions' },
      h('a', { class: 'button-link', href: loginHref(next) }, 'Iniciar sesión'),
      h('a', { class: 'button-link secondary', href: 'login.html#registro' }, 'Crear cuenta de taller')));
}

// ---- search ----------------------------------------------------------------------------------------------------

async function showResults(params, token) {
  syncInputs(params);
  const hasCriteria = params.get('q') || FILTERS.some((f) => params.get(f));
  if (!hasCriteria) {
    clear(view, notice('info', 'Falta qué buscar', 'Escribe un número de parte o un nombre, o elige un vehículo o una categoría.'));
    return;
  }
  const page = Number(params.get('page') ?? '1');
  clear(view, loading('Buscando piezas…'));
  const query = new URLSearchParams(params);
  query.set('page_size', String(PAGE_SIZE));
  try {
    const result = await api(`/api/parts/search?${query}`);
    if (token !== renderToken) return;
    const items = result.items ?? [];
    const heading = h('h2', { id: 'results-title', tabindex: '-1' },
      items.length === 0 ? 'Sin resultados' : `Resultados${page > 1 ? ` — página ${page}` : ''}`);
    if (items.length === 0) {
      clear(view, heading, empty(page > 1
        ? 'No hay más resultados.'
        : 'No encontramos piezas con esos datos. Revisa el número o prueba con el nombre de la pieza.'));
      return;
    }
    clear(view,
      heading,
      h('ul', { class: 'results', 'aria-labelledby': 'results-title' }, items.map(resultItem)),
      pager(params, page, result.has_more));
  } catch (error) {
    if (token !== renderToken) return;
    clear(view, errorNotice(error, 'No se pudo buscar'), fieldMessages(error));
  }
}

function fieldMessages(error) {
  const messages = Object.values(error.errors ?? {}).flat();
  return messages.length ? h('ul', {}, messages.map((m) => h('li', {}, m))) : null;
}

function resultItem(part) {
  return h('li', { class: 'result' },
    h('a', { href: `#pieza/${part.id_part}` },
      h('span', { class: 'number' }, part.oem_part_number), ' — ', h('span', {}, part.name_part),
      h('div', { class: 'meta' }, [part.name_category, part.name_manufacture].filter(Boolean).join(' · '))));
}

function pager(params, page, hasMore) {
  const go = (target) => {
    const next = new URLSearchParams(params);
    if (target > 1) next.set('page', String(target)); else next.delete('page');
    location.hash = searchHash(next);
  };
  return h('nav', { class: 'pager', 'aria-label': 'Páginas de resultados' },
    h('button', { type: 'button', class: 'secondary', disabled: page <= 1, onclick: () => go(page - 1) }, '← Anterior'),
    h('span', { class: 'muted' }, `Página ${page}`),
    h('button', { type: 'button', class: 'secondary', disabled: !hasMore, onclick: () => go(page + 1) }, 'Siguiente →'));
}

// ---- part detail -----------------------------------------------------------------------------------------------

async function showPart(id, token) {
  clear(view, loading('Cargando la pieza…'));
  let part;
  try {
    part = await api(`/api/parts/${id}`);
  } catch (error) {
    if (token !== renderToken) return;
    clear(view, backLink(), errorNotice(error, 'No se pudo mostrar la pieza'));
    return;
  }
  if (token !== renderToken) return;
  const alternatives = h('section', { class: 'panel', 'aria-labelledby': 'alt-title' },
    h('h2', { id: 'alt-title' }, 'Alternativas aftermarket'), loading());
  const availability = h('section', { class: 'panel', id: 'disponibilidad', 'aria-labelledby': 'avail-title', tabindex: '-1' },
    h('h2', { id: 'avail-title' }, 'Disponibilidad en bodegas'));
  const heading = h('h1', { id: 'part-title', tabindex: '-1' },
    h('span', { class: 'part-number' }, part.oem_part_number), ' — ', part.name_part);
  clear(view,
    backLink(),
    heading,
    h('div', { class: 'columns' },
      h('section', { class: 'panel', 'aria-label': 'Datos de la pieza' },
        h('dl', { class: 'facts' },
          h('dt', {}, 'Número OEM'), h('dd', { class: 'part-number' }, part.oem_part_number),
          h('dt', {}, 'Nombre'), h('dd', {}, part.name_part),
          h('dt', {}, 'Categoría'), h('dd', {}, part.name_category ?? '—'),
          h('dt', {}, 'Fabricante'), h('dd', {}, part.name_manufacture ?? '—'),
          part.description ? [h('dt', {}, 'Descripción'), h('dd', {}, part.description)] : null)),
      alternatives),
    availability,
    h('div', { class: 'columns' },
      h('section', { class: 'panel', 'aria-labelledby': 'fit-title' },
        h('h2', { id: 'fit-title' }, 'Compatibilidad'),
        vehiclesTable(part.vehicles ?? [])),
      h('section', { class: 'panel', 'aria-labelledby': 'xref-title' },
        h('h2', { id: 'xref-title' }, 'Referencias cruzadas'),
        crossReferences(part.cross_references ?? []))));
  heading.focus();
  document.title = `${part.oem_part_number} ${part.name_part} — Nexus Autoparts`;
  loadAlternatives(id, alternatives, token);
  loadAvailability(id, availability, token);
}

function backLink() {
  return h('p', {}, h('a', {
    href: 'index.html',
    onclick: (event) => {
      if (history.length > 1 && document.referrer.startsWith(location.origin)) {
        event.preventDefault();
        history.back();
      }
    },
  }, '← Volver a la búsqueda'));
}

function vehiclesTable(vehicles) {
  if (vehicles.length === 0) return empty('No hay vehículos registrados para esta pieza.');
  const rows = vehicles.map((v) => [v.brand, v.model, String(v.year), v.engine ?? '—']);
  return table(['Marca', 'Modelo', 'Año', 'Motor'], rows, { stack: false });
}

function crossReferences(references) {
  if (references.length === 0) return empty('Sin referencias cruzadas.');
  return table(['Número', 'Fuente'], references.map((r) => [h('span', { class: 'part-number' }, r.cross_reference_number), r.source_ref]),
    { stack: false });
}

async function loadAlternatives(id, section, token) {
  try {
    const list = await api(`/api/parts/${id}/aftermarket`);
    if (token !== renderToken) return;
    const heading = section.querySelector('h2');
    if (list.length === 0) {
      clear(section, heading, empty('Esta pieza no tiene alternativas aftermarket registradas.'));
      return;
    }
    clear(section, heading,
      h('ul', { class: 'alternatives' }, list.map((alt) => h('li', {},
        h('strong', {}, alt.manufacturer), h('span', { class: 'part-number' }, alt.part_number),
        alt.name ? h('span', { class: 'muted small' }, alt.name) : null,
        h('span', { class: alt.in_stock ? 'badge ok' : 'badge' }, alt.in_stock ? 'En existencia' : 'Sin existencia'),
        h('span', { class: 'sep', 'aria-hidden': 'true' }, '|'),
        availabilityLink(id, alt)))));
  } catch (error) {
    if (token !== renderToken) return;
    clear(section, section.querySelector('h2'), errorNotice(error, 'No se pudieron cargar las alternativas'));
  }
}

function availabilityLink(partId, alt) {
  const label = `Ver disponibilidad de ${alt.manufacturer} ${alt.part_number}`;
  if (!SEES_PRICES.includes(currentUser()?.role)) {
    return h('a', { href: loginHref(`index.html#pieza/${partId}`), 'aria-label': label }, 'Ver disponibilidad →');
  }
  return h('button', {
    type: 'button',
    class: 'link',
    'aria-label': label,
    onclick: () => {
      const row = document.querySelector(`[data-aftermarket="${alt.aftermarket_part_id}"]`);
      const target = row ?? $('#disponibilidad');
      target.scrollIntoView({ behavior: 'smooth', block: 'center' });
      if (row) {
        for (const other of document.querySelectorAll('[data-aftermarket].highlight')) other.classList.remove('highlight');
        row.classList.add('highlight');
        row.setAttribute('tabindex', '-1');
        row.focus({ preventScroll: true });
      } else {
        target.focus({ preventScroll: true });
      }
    },
  }, 'Ver disponibilidad →');
}

async function loadAvailability(id, section, token) {
  const heading = section.querySelector('h2');
  const user = currentUser();
  if (!user) {
    clear(section, heading,
      h('p', {}, 'Los precios y existencias de las bodegas son solo para talleres registrados.'),
      h('div', { class: 'actions' },
        h('a', { class: 'button-link', href: loginHref(`index.html#pieza/${id}`) }, 'Inicia sesión para ver precios'),
        h('a', { class: 'button-link secondary', href: 'login.html#registro' }, 'Registrar mi taller')));
    section.classList.add('invite');
    return;
  }
  if (!SEES_PRICES.includes(user.role)) {
    clear(section, heading, notice('info', 'Solo para talleres', 'Los precios de las bodegas los consultan los talleres registrados.'));
    return;
  }
  section.append(loading('Consultando bodegas…'));
  try {
    const result = await api(`/api/parts/${id}/availability`);
    if (token !== renderToken) return;
    const offers = result.availability ?? [];
    const aftermarket = result.aftermarket ?? [];
    clear(section, heading,
      offers.length === 0
        ? empty('Ninguna bodega tiene esta pieza en existencia por ahora.')
        : table(
          ['Bodega', { label: 'Precio', num: true }, { label: 'Existencias', num: true }, 'Ubicación', { label: 'Pedido mínimo', num: true }, 'Actualizado'],
          offers.map((o) => [o.business_name, h('span', { class: 'price' }, money(o.price)), count(o.stock_quantity),
            o.warehouse_location || '—', count(o.min_order_quantity), freshness(o.updated_at)]),
          { caption: 'Pieza original (OEM)' }),
      aftermarket.length === 0 ? null : aftermarketOffers(aftermarket));
  } catch (error) {
    if (token !== renderToken) return;
    clear(section, heading, errorNotice(error, 'No se pudo consultar la disponibilidad'));
  }
}

function aftermarketOffers(offers) {
  const headers = ['Alternativa', 'Bodega', { label: 'Precio', num: true }, { label: 'Existencias', num: true }, 'Ubicación', 'Actualizado'];
  const wrap = table(headers, offers.map((o) => [
    h('span', {}, h('strong', {}, o.manufacturer), ' ', h('span', { class: 'part-number' }, o.part_number)),
    o.business_name, h('span', { class: 'price' }, money(o.price)), count(o.stock_quantity), o.warehouse_location || '—', freshness(o.updated_at),
  ]), { caption: 'Alternativas aftermarket' });
  wrap.querySelectorAll('tbody tr').forEach((row, i) => { row.dataset.aftermarket = String(offers[i].aftermarket_part_id); });
  return h('div', { style: 'margin-top: 1rem' }, wrap);
}

// ---- filters ---------------------------------------------------------------------------------------------------

function options(select, placeholder, values) {
  clear(select, h('option', { value: '' }, placeholder), values.map(([value, text]) => h('option', { value }, text)));
}

async function loadMakes() {
  try {
    const makes = await api('/api/vehicles/makes');
    options(make, 'Todas', makes.map((m) => [m.make, m.make]));
  } catch (error) {
    options(make, 'No se pudieron cargar', []);
  }
}

async function loadCategories() {
  try {
    const categories = await api('/api/categories');
    options(category, 'Todas', categories.map((c) => [String(c.id_category), c.name_category]));
  } catch (error) {
    options(category, 'No se pudieron cargar', []);
  }
}

async function loadModels(selected) {
  year.disabled = true;
  options(year, 'Elige un modelo', []);
  if (!make.value) {
    model.disabled = true;
    options(model, 'Elige una marca', []);
    return;
  }
  options(model, 'Cargando…', []);
  try {
    const models = await api(`/api/vehicles/makes/${encodeURIComponent(make.value)}/models`);
    options(model, 'Todos', models.map((m) => [m.model, m.model]));
    model.disabled = false;
    if (selected) model.value = selected;
  } catch {
    options(model, 'No se pudieron cargar', []);
  }
}

async function loadYears(selected) {
  if (!model.value) {
    year.disabled = true;
    options(year, 'Elige un modelo', []);
    return;
  }
  options(year, 'Cargando…', []);
  try {
    const years = await api(`/api/vehicles/makes/${encodeURIComponent(make.value)}/models/${encodeURIComponent(model.value)}/years`);
    options(year, 'Todos', years.map((y) => [String(y.year), String(y.year)]));
    year.disabled = false;
    if (selected) year.value = selected;
  } catch {
    options(year, 'No se pudieron cargar', []);
  }
}

/** Puts a search's values back into the form (back button, shared link). */
async function syncInputs(params) {
  input.value = params.get('q') ?? '';
  if (params.get('category_id')) category.value = params.get('category_id');
  const brand = params.get('brand') ?? '';
  if (brand && make.value !== brand) {
    make.value = brand;
    $('#vehicle-filters').open = true;
    await loadModels(params.get('model'));
    if (params.get('model')) await loadYears(params.get('year'));
  }
}

// ---- start -----------------------------------------------------------------------------------------------------

form.addEventListener('submit', (event) => {
  event.preventDefault();
  const hash = searchHash(currentParams());
  if (location.hash === hash) route(); else location.hash = hash;
});
$('#browse').addEventListener('click', () => {
  const params = currentParams();
  params.delete('q');
  location.hash = searchHash(params);
});
$('#reset-filters').addEventListener('click', () => {
  make.value = '';
  category.value = '';
  loadModels();
});
make.addEventListener('change', () => loadModels());
model.addEventListener('change', () => loadYears());
window.addEventListener('hashchange', route);
let shownAs = null;
window.addEventListener('nexus:session', () => {
  // Only a change of who is looking (login, logout, expiry) redraws; a token refresh does not.
  const who = currentUser() ? `${currentUser().user_id}:${currentUser().role}` : '';
  if (who !== shownAs) {
    shownAs = who;
    route();
  }
});

await initPage();
shownAs = currentUser() ? `${currentUser().user_id}:${currentUser().role}` : '';
await Promise.all([loadMakes(), loadCategories()]);
route();
