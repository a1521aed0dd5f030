// A bodega's page: column mapping wizard, uploads straight to storage with real progress, upload history with
// live status and rejected rows, and the own inventory (search, paging, clear).
import { api } from './api.js';
import { $, clear, confirmDialog, empty, errorNotice, h, loading, notice, progressBar, saveBlob, showFieldErrors, table } from './dom.js';
import { count, date, freshness, money } from './format.js';
import { initPage } from './nav.js';

const POLL_MS = 2000;

// ---- mapping ---------------------------------------------------------------------------------------------------

const FIELDS = [
  { name: 'part_number', label: 'Número de parte', required: true },
  { name: 'price', label: 'Precio', required: true },
  { name: 'stock', label: 'Existencias', required: true },
  { name: 'location', label: 'Ubicación en almacén' },
  { name: 'min_order_quantity', label: 'Pedido mínimo' },
  { name: 'brand', label: 'Marca' },
];

const wizard = $('#mapping-wizard');
const mappingMessage = $('#mapping-message');
let sampleFile = null;
let hasMapping = false;

function step(index) {
  document.querySelectorAll('#mapping-steps li').forEach((li, i) => {
    if (i === index) li.setAttribute('aria-current', 'step'); else li.removeAttribute('aria-current');
  });
}

async function loadCurrentMapping() {
  const box = $('#mapping-current');
  try {
    const saved = await api('/api/inventory/mapping');
    hasMapping = true;
    const m = saved.mapping;
    clear(box, h('div', { class: 'notice ok', role: 'status' },
      h('strong', {}, 'Columnas configuradas'),
      h('p', {}, FIELDS.filter((f) => m[f.name]).map((f) => `${f.label}: «${m[f.name]}»`).join(' · ')),
      h('p', { class: 'small' }, [
        `Encabezados en la fila ${m.header_row ?? 1}${m.sheet ? ` de la hoja «${m.sheet}»` : ''}`,
        m.default_location ? `ubicación por omisión «${m.default_location}»` : null,
        `guardadas el ${date(saved.updated_at)}`,
      ].filter(Boolean).join(' · ')),
      h('p', { class: 'small' }, 'Si tu archivo cambió de formato, sube otra muestra aquí abajo.')));
  } catch (error) {
    hasMapping = false;
    clear(box, error.status === 404
      ? notice('info', 'Aún no configuras las columnas de tu archivo',
        'Sube un archivo de muestra: te mostramos sus columnas y te sugerimos cuál es cada dato.')
      : errorNotice(error, 'No se pudo leer tu configuración'));
  }
}

async function preview({ headerRow, sheet } = {}) {
  if (!sampleFile) return;
  step(1);
  clear(mappingMessage);
  clear(wizard, loading(`Leyendo «${sampleFile.name}»…`));
  const form = new FormData();
  form.append('file', sampleFile, sampleFile.name);
  const params = new URLSearchParams();
  if (headerRow) params.set('header_row', String(headerRow));
  if (sheet) params.set('sheet', sheet);
  try {
    const result = await api(`/api/inventory/mapping/preview${params.size ? `?${params}` : ''}`, { method: 'POST', form });
    renderWizard(result);
  } catch (error) {
    step(0);
    clear(wizard);
    clear(mappingMessage, errorNotice(error, 'No se pudo leer el archivo'));
  }
}

/** The value saved for a column: its header text when unique and present, else its letter. */
function columnValue(column, columns) {
  const header = column.header?.trim();
  const unique = header && columns.filter((c) => c.header?.trim().toLowerCase() === header.toLowerCase()).length === 1;
  return unique ? header : column.letter;
}

function matchColumn(suggested, columns) {
  if (!suggested) return '';
  const wanted = String(suggested).trim().toLowerCase().replace(/^(columna|column|col)[\s_-]+/, '');
  const column = columns.find((c) => c.header?.trim().toLowerCase() === wanted) ?? columns.find((c) => c.letter.toLowerCase() === wanted);
  return column ? columnValue(column, columns) : '';
}

function renderWizard(result) {
  step(2);
  const columns = result.columns ?? [];
  const rows = result.rows ?? [];
  const suggested = result.suggested_mapping ?? {};
  if (columns.length === 0) {
    clear(wizard, notice('warn', 'El archivo no tiene columnas', 'Revisa que la fila de encabezados sea la correcta.'));
    return;
  }
  const selects = {};
  const fieldInputs = FIELDS.map((field) => {
    const id = `map-${field.name}`;
    const select = h('select', { id, name: field.name, required: field.required },
      h('option', { value: '' }, field.required ? '— Elige la columna —' : '— No viene en mi archivo —'),
      columns.map((c) => h('option', { value: columnValue(c, columns) }, `${c.letter} — ${c.header?.trim() || '(sin encabezado)'}`)));
    select.value = matchColumn(suggested[field.name], columns);
    selects[field.name] = select;
    return h('div', { class: 'field' },
      h('label', { for: id }, field.label, field.required ? null : h('span', { class: 'hint' }, ' (opcional)')),
      select);
  });
  const headerRow = h('input', { id: 'map-header-row', type: 'number', min: '1', max: '1000', value: String(result.header_row ?? 1), inputmode: 'numeric' });
  const defaultLocation = h('input', { id: 'map-default-location', type: 'text', maxlength: '100', value: suggested.default_location ?? '' });
  const sheetNames = result.sheet_names ?? [];
  const sheet = sheetNames.length > 1
    ? h('select', { id: 'map-sheet' }, sheetNames.map((name) => h('option', { value: name }, name)))
    : null;
  if (sheet && suggested.sheet) sheet.value = suggested.sheet;
  selects.header_row = headerRow;
  selects.default_location = defaultLocation;
  if (sheet) selects.sheet = sheet;

  const form = h('form', { id: 'mapping-form', novalidate: true },
    h('h3', {}, 'Así se ve tu archivo'),
    h('p', { class: 'muted small' }, [
      `${columns.length} columnas`,
      result.delimiter ? `separador «${result.delimiter === '\t' ? 'tabulador' : result.delimiter}»` : null,
      result.encoding ? `codificación ${result.encoding}` : null,
      result.truncated ? 'solo leímos el inicio del archivo' : null,
    ].filter(Boolean).join(' · ')),
    sampleTable(columns, rows),
    h('h3', {}, '¿Qué columna tiene cada dato?'),
    h('p', { class: 'muted small' }, 'Te sugerimos las columnas según sus encabezados; cámbialas si no coinciden.'),
    h('div', { class: 'grid three' }, fieldInputs),
    h('div', { class: 'grid three' },
      h('div', { class: 'field' }, h('label', { for: 'map-header-row' }, 'Fila de encabezados'), headerRow),
      sheet ? h('div', { class: 'field' }, h('label', { for: 'map-sheet' }, 'Hoja'), sheet) : null,
      h('div', { class: 'field' },
        h('label', { for: 'map-default-location' }, 'Ubicación por omisión', h('span', { class: 'hint' }, ' (opcional)')), defaultLocation)),
    h('div', { class: 'actions' },
      h('button', { type: 'submit', id: 'mapping-save' }, 'Guardar columnas'),
      h('button', { type: 'button', class: 'secondary', id: 'mapping-reread',
        onclick: () => preview({ headerRow: Number(headerRow.value) || 1, sheet: sheet?.value }) }, 'Volver a leer con esta fila u hoja')));
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    saveMapping(form, selects);
  });
  for (const select of Object.values(selects)) select.addEventListener('change', () => step(2));
  clear(wizard, form);
  step(2);
  selects.part_number.focus();
}

function sampleTable(columns, rows) {
  if (rows.length === 0) return empty('El archivo no tiene filas de datos después de los encabezados.');
  return h('div', { class: 'table-wrap' },
    h('table', { class: 'sample-table' },
      h('caption', { class: 'visually-hidden' }, 'Primeras filas del archivo de muestra'),
      h('thead', {}, h('tr', {}, columns.map((c) => h('th', { scope: 'col' }, h('span', { class: 'muted' }, c.letter), ' ', c.header ?? '')))),
      h('tbody', {}, rows.map((row) => h('tr', {}, columns.map((_, i) => h('td', {}, row[i] ?? '')))))));
}

async function saveMapping(form, selects) {
  clear(mappingMessage);
  const errors = {};
  for (const field of FIELDS.filter((f) => f.required)) {
    if (!selects[field.name].value) errors[field.name] = ['Elige la columna.'];
  }
  const chosen = FIELDS.map((f) => selects[f.name].value).filter(Boolean);
  for (const field of FIELDS) {
    const value = selects[field.name].value;
    if (value && chosen.filter((v) => v === value).length > 1) errors[field.name] = ['Esa columna ya está asignada a otro dato.'];
  }
  if (showFieldErrors(form, selects, errors)) return;
  step(3);
  const body = { header_row: Number(selects.header_row.value) || 1 };
  for (const field of FIELDS) body[field.name] = selects[field.name].value || null;
  body.default_location = selects.default_location.value.trim() || null;
  if (selects.sheet) body.sheet = selects.sheet.value;
  const button = $('#mapping-save');
  button.disabled = true;
  try {
    await api('/api/inventory/mapping', { method: 'PUT', body });
    clear(mappingMessage, notice('ok', 'Columnas guardadas', 'Ya puedes subir tu inventario con este formato.'));
    clear(wizard);
    step(0);
    await loadCurrentMapping();
    $('#upload-file').focus();
  } catch (error) {
    clear(mappingMessage, errorNotice(error, 'No se pudieron guardar las columnas'));
    showFieldErrors(form, selects, error.errors);
  } finally {
    button.disabled = false;
  }
}

function pickSample(file) {
  if (!file) return;
  sampleFile = file;
  preview();
}

const dropzone = $('#dropzone');
$('#sample-file').addEventListener('change', (event) => pickSample(event.target.files[0]));
dropzone.addEventListener('dragover', (event) => {
  event.preventDefault();
  dropzone.classList.add('over');
});
dropzone.addEventListener('dragleave', () => dropzone.classList.remove('over'));
dropzone.addEventListener('drop', (event) => {
  event.preventDefault();
  dropzone.classList.remove('over');
  pickSample(event.dataTransfer.files[0]);
});

// ---- upload ----------------------------------------------------------------------------------------------------

const uploadForm = $('#upload-form');
const uploadBox = $('#upload-progress');
let currentXhr = null;

/** PUTs the file to the SAS URL with XMLHttpRequest, the one browser API that reports upload progress. */
function putToStorage(ticket, file, onProgress) {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    currentXhr = xhr;
    xhr.open(ticket.method ?? 'PUT', ticket.upload_url);
    for (const [name, value] of Object.entries(ticket.required_headers ?? { 'x-ms-blob-type': 'BlockBlob' })) {
      xhr.setRequestHeader(name, value);
    }
    xhr.setRequestHeader('Content-Type', file.type || 'application/octet-stream');
    xhr.upload.addEventListener('progress', (event) => {
      if (event.lengthComputable) onProgress(event.loaded, event.total);
    });
    xhr.addEventListener('load', () => {
      currentXhr = null;
      if (xhr.status >= 200 && xhr.status < 300) resolve();
      else reject(new Error(xhr.status === 403
        ? 'El permiso para subir venció. Intenta de nuevo.'
        : `El almacenamiento rechazó el archivo (código ${xhr.status}).`));
    });
    xhr.addEventListener('error', () => {
      currentXhr = null;
      reject(new Error('Se perdió la conexión con el almacenamiento. Revisa tu internet e intenta de nuevo.'));
    });
    xhr.addEventListener('abort', () => {
      currentXhr = null;
      reject(new Error('Cancelaste la subida.'));
    });
    xhr.send(file);
  });
}

function showProgress(file, loaded, total, text) {
  clear(uploadBox,
    h('p', { class: 'status-line' }, text ?? `Subiendo «${file.name}»: ${count(Math.round(loaded / 1024))} de ${count(Math.round(total / 1024))} KB`),
    progressBar(loaded, total, `Progreso de la subida de ${file.name}`));
}

uploadForm.addEventListener('submit', async (event) => {
  event.preventDefault();
  const fileInput = $('#upload-file');
  const file = fileInput.files[0];
  clear(uploadBox);
  if (!file) {
    showFieldErrors(uploadForm, { file: fileInput }, { file: ['Elige el archivo de inventario.'] });
    return;
  }
  showFieldErrors(uploadForm, {}, {});
  if (!hasMapping) {
    clear(uploadBox, notice('warn', 'Primero configura las columnas', 'Sube un archivo de muestra en el paso 1 y guarda las columnas.'));
    $('#sample-file').focus();
    return;
  }
  const mode = uploadForm.elements.mode.value;
  if (mode === 'replace') {
    const sure = await confirmDialog({
      title: '¿Reemplazar todo tu inventario?',
      text: 'Las piezas que no vengan en este archivo se eliminarán de tu inventario.',
      confirmLabel: 'Sí, reemplazar',
      danger: true,
    });
    if (!sure) return;
  }
  const submit = $('#upload-submit');
  const cancel = $('#upload-cancel');
  submit.disabled = true;
  cancel.hidden = false;
  showProgress(file, 0, file.size || 1, `Preparando la subida de «${file.name}»…`);
  try {
    const ticket = await api('/api/inventory/uploads', { method: 'POST', body: { filename: file.name, mode } });
    await putToStorage(ticket, file, (loaded, total) => showProgress(file, loaded, total));
    cancel.hidden = true;
    showProgress(file, 1, 1, 'Archivo recibido. Registrando la carga…');
    await api(`/api/inventory/uploads/${ticket.upload_id}/complete`, { method: 'POST', body: {} });
    clear(uploadBox, notice('ok', `«${file.name}» se subió completo`, 'Lo estamos procesando; el avance aparece en el historial.'));
    uploadForm.reset();
    await loadHistory(1);
  } catch (error) {
    clear(uploadBox, error.title ? errorNotice(error, 'No se pudo subir') : notice('error', 'No se pudo subir', error.message));
  } finally {
    submit.disabled = false;
    cancel.hidden = true;
  }
});

$('#upload-cancel').addEventListener('click', () => currentXhr?.abort());

// ---- history ---------------------------------------------------------------------------------------------------

const historyBox = $('#history-list');
const UPLOAD_STATUS = {
  pending: ['En espera', 'info'],
  processing: ['Procesando', 'info'],
  completed: ['Terminada', 'ok'],
  failed: ['Falló', 'bad'],
};
let historyPage = 1;
let historyTimer = null;
let historyBusy = false;

async function loadHistory(page = historyPage) {
  historyPage = page;
  clearTimeout(historyTimer);
  if (!historyBox.hasChildNodes()) clear(historyBox, loading('Cargando historial…'));
  try {
    const result = await api(`/api/inventory/uploads?page=${page}&page_size=10`);
    const items = result.items ?? [];
    if (items.length === 0) {
      clear(historyBox, empty('Todavía no subes ningún archivo.'));
      return;
    }
    clear(historyBox,
      table(['Archivo', 'Subida', 'Modo', 'Estado', { label: 'Importadas', num: true }, { label: 'Sin cambios', num: true },
        { label: 'Rechazadas', num: true }, 'Filas rechazadas'], items.map(uploadRow)),
      simplePager(page, result.total, 10, loadHistory, 'Páginas del historial'));
    const busy = items.some((u) => u.status === 'pending' || u.status === 'processing');
    if (historyBusy && !busy) loadInventory(1);
    historyBusy = busy;
    if (busy) historyTimer = setTimeout(() => loadHistory(), POLL_MS);
  } catch (error) {
    clear(historyBox, errorNotice(error, 'No se pudo cargar el historial'));
  }
}

function uploadRow(upload) {
  const [text, kind] = UPLOAD_STATUS[upload.status] ?? [upload.status, ''];
  const status = h('div', {},
    h('span', { class: `badge ${kind}` }, text),
    upload.status === 'processing'
      ? h('div', { class: 'small muted' }, `${count(upload.rows_processed)} filas procesadas`,
        upload.rows_total ? progressBar(upload.rows_processed, upload.rows_total, `Avance de ${upload.filename}`) : progressBar(null, 0, `Avance de ${upload.filename}`))
      : null,
    upload.status === 'failed' && upload.error_log ? h('div', { class: 'small' }, upload.error_log.split('\n')[0]) : null);
  const hasErrors = (upload.rows_errors ?? 0) > 0 || (upload.duplicates ?? 0) > 0;
  return [
    upload.filename,
    date(upload.created_at),
    upload.mode === 'replace' ? 'Reemplazar' : 'Actualizar',
    status,
    count(upload.rows_imported),
    count(upload.rows_unchanged),
    count(upload.rows_errors),
    hasErrors && upload.status === 'completed'
      ? h('button', { type: 'button', class: 'link', 'aria-label': `Descargar filas rechazadas de ${upload.filename}`,
        onclick: (event) => downloadErrors(upload, event.currentTarget) }, 'Descargar CSV')
      : '—',
  ];
}

async function downloadErrors(upload, button) {
  button.disabled = true;
  try {
    const response = await api(`/api/inventory/uploads/${upload.upload_id}/errors.csv`, { raw: true });
    saveBlob(await response.blob(), `errores-carga-${upload.upload_id}.csv`);
  } catch (error) {
    clear(historyBox.querySelector('.dl-error') ?? historyBox.insertBefore(h('div', { class: 'dl-error' }), historyBox.firstChild),
      errorNotice(error, 'No se pudo descargar'));
  } finally {
    button.disabled = false;
  }
}

function simplePager(page, total, size, load, label) {
  const pages = Math.max(1, Math.ceil(total / size));
  if (pages <= 1) return null;
  return h('nav', { class: 'pager', 'aria-label': label },
    h('button', { type: 'button', class: 'secondary', disabled: page <= 1, onclick: () => load(page - 1) }, '← Anterior'),
    h('span', { class: 'muted' }, `Página ${page} de ${pages}`),
    h('button', { type: 'button', class: 'secondary', disabled: page >= pages, onclick: () => load(page + 1) }, 'Siguiente →'));
}

// ---- inventory -------------------------------------------------------------------------------------------------

const inventoryBox = $('#inventory-list');
const INVENTORY_PAGE = 50;
let inventoryPage = 1;

async function loadInventory(page = inventoryPage) {
  inventoryPage = page;
  const q = $('#inventory-q').value.trim();
  const params = new URLSearchParams({ page: String(page), page_size: String(INVENTORY_PAGE) });
  if (q) params.set('q', q);
  clear(inventoryBox, loading('Cargando inventario…'));
  try {
    const result = await api(`/api/inventory/items?${params}`);
    const items = result.items ?? [];
    if (items.length === 0) {
      clear(inventoryBox, empty(q ? `Nada en tu inventario coincide con «${q}».` : 'Tu inventario está vacío. Sube un archivo para publicarlo.'));
      return;
    }
    clear(inventoryBox,
      h('p', { class: 'muted small' }, `${count(result.total)} piezas${q ? ` con «${q}»` : ''}`),
      table(['Número de parte', 'Nombre', 'Marca', { label: 'Precio', num: true }, { label: 'Existencias', num: true }, 'Ubicación',
        { label: 'Mínimo', num: true }, 'Actualizado'],
      items.map((item) => [
        h('span', { class: 'part-number' }, item.part_number),
        item.name ?? '—',
        item.manufacturer ?? '—',
        money(item.price),
        count(item.stock_quantity),
        item.warehouse_location || '—',
        count(item.min_order_quantity),
        freshness(item.updated_at),
      ])),
      simplePager(page, result.total, INVENTORY_PAGE, loadInventory, 'Páginas del inventario'));
  } catch (error) {
    clear(inventoryBox, errorNotice(error, 'No se pudo cargar tu inventario'));
  }
}

$('#inventory-search').addEventListener('submit', (event) => {
  event.preventDefault();
  loadInventory(1);
});

$('#clear-inventory').addEventListener('click', async () => {
  const location = h('input', { id: 'clear-location', type: 'text', maxlength: '100' });
  const extra = h('div', { class: 'field' },
    h('label', { for: 'clear-location' }, 'Solo esta ubicación', h('span', { class: 'hint' }, ' (déjalo vacío para vaciar todo)')),
    location);
  const sure = await confirmDialog({
    title: '¿Vaciar tu inventario?',
    text: 'Las piezas dejarán de aparecer a los talleres. Puedes volver a subir tu archivo cuando quieras.',
    confirmLabel: 'Vaciar',
    danger: true,
    extra,
  });
  if (!sure) return;
  const where = location.value.trim();
  try {
    const result = await api(`/api/inventory/items${where ? `?location=${encodeURIComponent(where)}` : ''}`, { method: 'DELETE' });
    clear($('#inventory-message'), notice('ok', `Se eliminaron ${count(result.deleted)} piezas${where ? ` de la ubicación «${where}»` : ''}.`));
    await loadInventory(1);
  } catch (error) {
    clear($('#inventory-message'), errorNotice(error, 'No se pudo vaciar'));
  }
});

// ---- start -----------------------------------------------------------------------------------------------------

const user = await initPage({ roles: ['BODEGA'] });
if (user) {
  await loadCurrentMapping();
  loadHistory(1);
  loadInventory(1);
}
