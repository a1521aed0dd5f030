// Administration: accounts (approve, deactivate, create, filter), the AFT- migration (dry run, run, progress,
// report, revert, retry) and supplier article imports (upload, progress, problems report). ADMIN and OWNER only.
import { api, currentUser } from './api.js';
import { $, clear, confirmDialog, empty, errorNotice, h, loading, notice, progressBar, saveBlob, showFieldErrors, table } from './dom.js';
import { ago, count, date, day, roleLabel } from './format.js';
import { initPage, STAFF } from './nav.js';

const PAGE_SIZE = 25;
const POLL_MS = 1500;

// ---- tabs ------------------------------------------------------------------------------------------------------

const tabs = [...document.querySelectorAll('[role="tab"]')];
const TAB_HASH = { 'tab-users': '#usuarios', 'tab-migration': '#migracion', 'tab-imports': '#importar' };

function selectTab(tab, { focus = false } = {}) {
  for (const other of tabs) {
    const selected = other === tab;
    other.setAttribute('aria-selected', String(selected));
    other.tabIndex = selected ? 0 : -1;
    $(`#${other.getAttribute('aria-controls')}`).hidden = !selected;
  }
  if (focus) tab.focus();
  history.replaceState(null, '', TAB_HASH[tab.id]);
  if (tab.id === 'tab-migration') loadRuns();
  if (tab.id === 'tab-imports') loadImports();
}

for (const tab of tabs) {
  tab.addEventListener('click', () => selectTab(tab));
  tab.addEventListener('keydown', (event) => {
    const index = tabs.indexOf(tab);
    const next = { ArrowRight: index + 1, ArrowLeft: index - 1, Home: 0, End: tabs.length - 1 }[event.key];
    if (next === undefined) return;
    event.preventDefault();
    selectTab(tabs[(next + tabs.length) % tabs.length], { focus: true });
  });
}

// ---- users -----------------------------------------------------------------------------------------------------

const usersBox = $('#users');
const usersMessage = $('#users-message');
let usersPage = 1;

async function loadUsers(page = usersPage) {
  usersPage = page;
  const params = new URLSearchParams({ page: String(page), page_size: String(PAGE_SIZE) });
  if ($('#filter-role').value) params.set('role', $('#filter-role').value);
  if ($('#filter-status').value) params.set('status', $('#filter-status').value);
  clear(usersBox, loading('Cargando cuentas…'));
  try {
    const result = await api(`/api/admin/users?${params}`);
    const items = result.items ?? [];
    if (items.length === 0) {
      clear(usersBox, empty(page > 1 ? 'No hay más cuentas.' : 'No hay cuentas con estos filtros.'));
      return;
    }
    const pending = items.filter((u) => !u.is_active).length;
    clear(usersBox,
      h('p', { class: 'muted small' }, `${count(result.total)} cuentas${pending ? ` · ${pending} pendientes en esta página` : ''}`),
      table(['Cuenta', 'Tipo', 'Estado', 'Registro', 'Último acceso', 'Acción'], items.map(userRow),
        { className: 'users-table' }),
      pager(page, result.total));
  } catch (error) {
    clear(usersBox, errorNotice(error, 'No se pudieron cargar las cuentas'));
  }
}

function userRow(user) {
  const self = user.user_id === currentUser()?.user_id;
  const action = user.is_active
    ? h('button', { type: 'button', class: 'secondary small', disabled: self, title: self ? 'No puedes desactivar tu propia cuenta' : null,
      'aria-label': `Desactivar ${user.email}`, onclick: () => setActive(user, false) }, 'Desactivar')
    : h('button', { type: 'button', class: 'small', 'aria-label': `Aprobar ${user.email}`, onclick: () => setActive(user, true) }, 'Aprobar');
  const reset = h('button', { type: 'button', class: 'secondary small', 'aria-label': `Restablecer la contraseña de ${user.email}`,
    onclick: (event) => startReset(user, event.currentTarget) }, 'Restablecer contraseña');
  const mfa = h('button', { type: 'button', class: 'secondary small', disabled: self,
    title: self ? 'La tuya se quita en Mi cuenta, con tu contraseña y un código' : null,
    'aria-label': `Quitar la verificación en dos pasos de ${user.email}`,
    onclick: (event) => removeMfa(user, event.currentTarget) }, 'Quitar verificación en dos pasos');
  return [
    h('div', {},
      h('strong', {}, user.business_name || user.name),
      user.business_name ? h('span', { class: 'sub' }, user.name) : null,
      h('span', { class: 'sub' }, user.email),
      user.phone ? h('span', { class: 'sub' }, user.phone) : null),
    roleLabel(user.role),
    h('span', { class: user.is_active ? 'badge ok' : 'badge warn' }, user.is_active ? 'Activa' : 'Pendiente'),
    day(user.created_at),
    user.last_login ? ago(user.last_login) : 'Nunca',
    h('div', { class: 'row' }, action, reset, mfa),
  ];
}

function pager(page, total) {
  const pages = Math.max(1, Math.ceil(total / PAGE_SIZE));
  if (pages <= 1) return null;
  return h('nav', { class: 'pager', 'aria-label': 'Páginas de cuentas' },
    h('button', { type: 'button', class: 'secondary', disabled: page <= 1, onclick: () => loadUsers(page - 1) }, '← Anterior'),
    h('span', { class: 'muted' }, `Página ${page} de ${pages}`),
    h('button', { type: 'button', class: 'secondary', disabled: page >= pages, onclick: () => loadUsers(page + 1) }, 'Siguiente →'));
}

async function setActive(user, active) {
  if (!active) {
    const sure = await confirmDialog({
      title: `¿Desactivar la cuenta de ${user.business_name || user.name}?`,
      text: 'Se cerrarán sus sesiones abiertas y no podrá entrar hasta que la vuelvas a aprobar.',
      confirmLabel: 'Desactivar',
      danger: true,
    });
    if (!sure) return;
  }
  clear(usersMessage);
  try {
    await api(`/api/admin/users/${user.user_id}/activate`, { method: 'PUT', body: { is_active: active } });
    clear(usersMessage, notice('ok', active
      ? `Cuenta aprobada: ${user.business_name || user.name} ya puede iniciar sesión.`
      : `Cuenta desactivada: ${user.business_name || user.name}.`));
    await loadUsers();
  } catch (error) {
    clear(usersMessage, errorNotice(error, 'No se pudo cambiar la cuenta'));
  }
}

/**
 * Starts a password reset: the API answers with a one-time link (1 hour) that the admin passes to the user by phone,
 * chat or in person; the app sends no e-mail. The admin never chooses the password.
 */
async function startReset(user, button) {
  const name = user.business_name || user.name;
  const sure = await confirmDialog({
    title: `¿Restablecer la contraseña de ${name}?`,
    text: 'Obtendrás un enlace de un solo uso para entregárselo a la persona. Con él elige su contraseña nueva; '
      + 'al guardarla se cierran sus sesiones. Un enlace anterior deja de servir.',
    confirmLabel: 'Obtener enlace',
  });
  if (!sure) return;
  button.disabled = true;
  clear(usersMessage);
  try {
    const reset = await api(`/api/admin/users/${user.user_id}/password-reset`, { method: 'POST' });
    const url = new URL(`restablecer.html#token=${encodeURIComponent(reset.token)}`, location.href).href;
    const field = h('input', { type: 'text', class: 'grow', readonly: true, value: url, id: 'reset-link', 'aria-label': `Enlace para ${user.email}` });
    const copy = h('button', { type: 'button', class: 'secondary small', onclick: async () => {
      field.select();
      await navigator.clipboard?.writeText(url).catch(() => {});
      copy.textContent = 'Copiado';
    } }, 'Copiar enlace');
    const box = notice('ok', `Enlace para restablecer la contraseña de ${name}`,
      `Entrégaselo por un medio de confianza (no lo publiques). Sirve una sola vez y vence: ${date(reset.expires_at)}`);
    box.append(h('div', { class: 'row' }, field, copy));
    clear(usersMessage, box);
    field.select();
  } catch (error) {
    clear(usersMessage, errorNotice(error, 'No se pudo restablecer la contraseña'));
  } finally {
    button.disabled = false;
  }
}

/**
 * For a user who lost the phone with the authenticator and the recovery codes too: after the admin has made sure who
 * the person is (as when approving the account), the authenticator goes and every session of the account ends.
 */
async function removeMfa(user, button) {
  const name = user.business_name || user.name;
  const sure = await confirmDialog({
    title: `¿Quitar la verificación en dos pasos de ${name}?`,
    text: 'Hazlo solo si perdió su autenticador y sus códigos de recuperación, y después de confirmar que es esa persona. '
      + 'Se cierran sus sesiones; entrará solo con su contraseña y podrá activar la verificación de nuevo en Mi cuenta.',
    confirmLabel: 'Quitar verificación',
    danger: true,
  });
  if (!sure) return;
  button.disabled = true;
  clear(usersMessage);
  try {
    await api(`/api/admin/users/${user.user_id}/mfa`, { method: 'DELETE' });
    clear(usersMessage, notice('ok', `Verificación en dos pasos quitada: ${name}.`,
      'Sus sesiones se cerraron. Pídele que la active de nuevo en Mi cuenta.'));
  } catch (error) {
    clear(usersMessage, errorNotice(error, 'No se pudo quitar la verificación en dos pasos'));
  } finally {
    button.disabled = false;
  }
}

$('#user-filters').addEventListener('submit', (event) => {
  event.preventDefault();
  loadUsers(1);
});
$('#filter-role').addEventListener('change', () => loadUsers(1));
$('#filter-status').addEventListener('change', () => loadUsers(1));

// ---- create account --------------------------------------------------------------------------------------------

const createForm = $('#create-form');
const createFields = {
  role: $('#new-role'),
  business_name: $('#new-business'),
  name: $('#new-name'),
  email: $('#new-email'),
  phone: $('#new-phone'),
  password: $('#new-password'),
  address: $('#new-address'),
};

createForm.addEventListener('submit', async (event) => {
  event.preventDefault();
  clear($('#create-message'));
  const errors = {};
  for (const name of ['name', 'email', 'password']) {
    if (!createFields[name].value.trim()) errors[name] = ['Este dato es obligatorio.'];
  }
  if (['TALLER', 'BODEGA'].includes(createFields.role.value) && !createFields.business_name.value.trim()) {
    errors.business_name = ['Los talleres y bodegas necesitan el nombre del negocio.'];
  }
  if (!errors.password && createFields.password.value.length < 10) errors.password = ['Debe tener al menos 10 caracteres.'];
  if (showFieldErrors(createForm, createFields, errors)) return;
  const body = Object.fromEntries(Object.entries(createFields).map(([name, input]) => [name, input.value.trim() || null]));
  body.password = createFields.password.value;
  const button = $('#create-submit');
  button.disabled = true;
  try {
    const created = await api('/api/admin/users', { method: 'POST', body });
    clear($('#create-message'), notice('ok', `Cuenta creada: ${created.email} (${roleLabel(created.role)}).`,
      'Comparte la contraseña inicial por un medio seguro.'));
    createForm.reset();
    await loadUsers(1);
  } catch (error) {
    clear($('#create-message'), errorNotice(error, 'No se pudo crear la cuenta'));
    showFieldErrors(createForm, createFields, error.errors);
  } finally {
    button.disabled = false;
  }
});

// ---- migration -------------------------------------------------------------------------------------------------

const RUN_STATUS = {
  planned: ['En cola', 'info'],
  running: ['En curso', 'info'],
  completed: ['Terminada', 'ok'],
  failed: ['Con fallas', 'bad'],
  reverted: ['Revertida', ''],
};
const BATCH_STATUS = {
  pending: ['Pendiente', ''],
  running: ['Procesando', 'info'],
  completed: ['Terminado', 'ok'],
  failed: ['Falló', 'bad'],
};
const ACTIVE = ['planned', 'running'];

const runsBox = $('#runs');
const detailBox = $('#run-detail');
const migrationMessage = $('#migration-message');
let selectedRun = null;
let pollTimer = null;

function statusBadge(map, status) {
  const [text, kind] = map[status] ?? [status, ''];
  return h('span', { class: `badge ${kind}` }, text);
}

async function startRun(dryRun) {
  clear(migrationMessage);
  const batchInput = $('#batch-size');
  const batchSize = Number(batchInput.value);
  if (!Number.isInteger(batchSize) || batchSize < 100 || batchSize > 50000) {
    showFieldErrors($('#migration-form'), { batch_size: batchInput }, { batch_size: ['Escribe un número entero de 100 a 50,000.'] });
    return;
  }
  showFieldErrors($('#migration-form'), {}, {});
  if (!dryRun) {
    const sure = await confirmDialog({
      title: '¿Ejecutar la migración?',
      text: 'Las piezas AFT- que se puedan resolver pasarán a ser alternativas aftermarket y saldrán del catálogo OEM. '
        + 'Podrás revertirla mientras no haya otra ejecución posterior.',
      confirmLabel: 'Ejecutar migración',
      danger: true,
    });
    if (!sure) return;
  }
  try {
    const run = await api('/api/admin/migrations/aftermarket', { method: 'POST', body: { dry_run: dryRun, batch_size: batchSize } });
    clear(migrationMessage, notice('ok', dryRun ? `Simulación #${run.id} iniciada.` : `Migración #${run.id} iniciada.`,
      `${count(run.total)} piezas AFT- en ${count(run.batches_total)} lotes.`));
    selectedRun = run.id;
    await loadRuns();
  } catch (error) {
    clear(migrationMessage, errorNotice(error, 'No se pudo iniciar'));
    showFieldErrors($('#migration-form'), { batch_size: batchInput }, error.errors);
  }
}

$('#migration-form').addEventListener('submit', (event) => {
  event.preventDefault();
  startRun(true);
});
$('#real-run').addEventListener('click', () => startRun(false));

async function loadRuns() {
  if (!runsBox.hasChildNodes()) clear(runsBox, loading('Cargando ejecuciones…'));
  try {
    const runs = await api('/api/admin/migrations');
    if (runs.length === 0) {
      clear(runsBox, empty('Todavía no hay ejecuciones. Empieza con una simulación.'));
      clear(detailBox);
      return;
    }
    clear(runsBox, table(
      ['#', 'Creada', 'Tipo', 'Estado', 'Avance', { label: 'Migradas', num: true }, { label: 'Sin resolver', num: true },
        { label: 'Fallidas', num: true }, 'Acciones'],
      runs.map(runRow)));
    selectedRun ??= runs[0].id;
    await loadRunDetail();
    schedulePoll(runs.some((r) => ACTIVE.includes(r.status)));
  } catch (error) {
    clear(runsBox, errorNotice(error, 'No se pudieron cargar las ejecuciones'));
    schedulePoll(false);
  }
}

function runRow(run) {
  return [
    String(run.id),
    date(run.created_at),
    run.dry_run ? 'Simulación' : 'Real',
    statusBadge(RUN_STATUS, run.status),
    progressBar(run.batches_done, run.batches_total, `Avance de la ejecución ${run.id}: lotes terminados`),
    count(run.migrated),
    count(run.unresolved),
    count(run.failed),
    h('div', { class: 'actions' }, runActions(run)),
  ];
}

function runActions(run) {
  const actions = [
    h('button', { type: 'button', class: 'secondary small', 'aria-label': `Ver lotes de la ejecución ${run.id}`,
      onclick: () => { selectedRun = run.id; loadRunDetail({ focus: true }); } }, 'Ver lotes'),
    h('button', { type: 'button', class: 'secondary small', 'aria-label': `Descargar reporte de la ejecución ${run.id}`,
      onclick: (event) => downloadReport(run, event.currentTarget) }, 'Reporte CSV'),
  ];
  if (run.status === 'failed') {
    actions.push(h('button', { type: 'button', class: 'small', onclick: () => runAction(run, 'retry') }, 'Reintentar lotes fallidos'));
  }
  if (!run.dry_run && run.status === 'completed') {
    actions.push(h('button', { type: 'button', class: 'danger small', onclick: () => revert(run) }, 'Revertir'));
  }
  return actions;
}

async function downloadReport(run, button) {
  button.disabled = true;
  try {
    const response = await api(`/api/admin/migrations/${run.id}/report.csv`, { raw: true });
    saveBlob(await response.blob(), `migracion-aftermarket-${run.id}.csv`);
  } catch (error) {
    clear(migrationMessage, errorNotice(error, 'No se pudo descargar el reporte'));
  } finally {
    button.disabled = false;
  }
}

async function revert(run) {
  const sure = await confirmDialog({
    title: `¿Revertir la migración #${run.id}?`,
    text: `Las ${count(run.migrated)} piezas migradas volverán al catálogo como estaban antes.`,
    confirmLabel: 'Revertir',
    danger: true,
  });
  if (sure) await runAction(run, 'revert');
}

async function runAction(run, action) {
  clear(migrationMessage);
  try {
    await api(`/api/admin/migrations/${run.id}/${action}`, { method: 'POST', body: {} });
    clear(migrationMessage, notice('ok', action === 'revert' ? `Migración #${run.id} revertida.` : `Lotes de la ejecución #${run.id} enviados de nuevo.`));
    selectedRun = run.id;
    await loadRuns();
  } catch (error) {
    clear(migrationMessage, errorNotice(error, action === 'revert' ? 'No se pudo revertir' : 'No se pudo reintentar'));
  }
}

async function loadRunDetail({ focus = false } = {}) {
  if (selectedRun === null) return;
  try {
    const { run, batches } = await api(`/api/admin/migrations/${selectedRun}`);
    const title = h('h2', { id: 'run-title', tabindex: '-1' },
      `${run.dry_run ? 'Simulación' : 'Migración'} #${run.id} `, statusBadge(RUN_STATUS, run.status));
    clear(detailBox, h('section', { class: 'panel', 'aria-labelledby': 'run-title' },
      title,
      h('p', { class: 'muted' }, `${count(run.total)} piezas AFT- · ${count(run.batches_done)} de ${count(run.batches_total)} lotes terminados`
        + (run.completed_at ? ` · terminó ${date(run.completed_at)}` : '')),
      progressBar(run.batches_done, run.batches_total, `Avance de la ejecución ${run.id}`),
      batches.length === 0 ? empty('Sin lotes: no hay piezas AFT- por migrar.') : table(
        ['Lote', 'Ids', 'Estado', 'Avance', { label: 'Migradas', num: true }, { label: 'Sin resolver', num: true }, { label: 'Fallidas', num: true }, 'Error'],
        batches.map((b) => [
          String(b.batch_no),
          `${b.id_from}–${b.id_to}`,
          statusBadge(BATCH_STATUS, b.status),
          batchProgress(b, run.id),
          count(b.migrated),
          count(b.unresolved),
          count(b.failed),
          b.error ?? '',
        ]),
        { caption: 'Lotes' })));
    if (focus) title.focus();
  } catch (error) {
    clear(detailBox, errorNotice(error, 'No se pudo cargar el detalle'));
  }
}

function batchProgress(batch, runId) {
  const label = `Lote ${batch.batch_no} de la ejecución ${runId}`;
  if (batch.status === 'completed' || batch.status === 'failed') return progressBar(1, 1, label);
  if (batch.status === 'running') return progressBar(null, 0, label);
  return progressBar(0, 1, label);
}

function schedulePoll(active) {
  clearTimeout(pollTimer);
  if (active && !$('#panel-migration').hidden) pollTimer = setTimeout(loadRuns, POLL_MS);
}

// ---- article imports -------------------------------------------------------------------------------------------

const IMPORT_STATUS = {
  pending: ['En espera', 'info'],
  processing: ['Procesando', 'info'],
  completed: ['Terminada', 'ok'],
  failed: ['Falló', 'bad'],
};

const importsBox = $('#imports');
const importMessage = $('#import-message');
let importsTimer = null;

$('#import-form').addEventListener('submit', async (event) => {
  event.preventDefault();
  clear(importMessage);
  const input = $('#import-file');
  const file = input.files?.[0];
  if (!file) {
    showFieldErrors($('#import-form'), { file: input }, { file: ['Elige el archivo CSV del proveedor.'] });
    return;
  }
  showFieldErrors($('#import-form'), {}, {});
  const form = new FormData();
  form.append('file', file, file.name);
  const button = $('#import-submit');
  button.disabled = true;
  try {
    const created = await api('/api/admin/catalog-imports', { method: 'POST', form });
    clear(importMessage, notice('ok', `Importación #${created.import_id} recibida.`, 'Se procesa en segundo plano; el avance aparece abajo.'));
    $('#import-form').reset();
    await loadImports();
  } catch (error) {
    clear(importMessage, errorNotice(error, 'No se pudo subir el archivo'));
    showFieldErrors($('#import-form'), { file: input }, error.errors);
  } finally {
    button.disabled = false;
  }
});

async function loadImports() {
  clearTimeout(importsTimer);
  if (!importsBox.hasChildNodes()) clear(importsBox, loading('Cargando importaciones…'));
  try {
    const result = await api(`/api/admin/catalog-imports?page_size=${PAGE_SIZE}`);
    const items = result.items ?? [];
    if (items.length === 0) {
      clear(importsBox, empty('Todavía no hay importaciones.'));
      return;
    }
    clear(importsBox, table(
      ['#', 'Archivo', 'Subida', 'Estado', { label: 'Filas importadas', num: true }, { label: 'Filas rechazadas', num: true },
        { label: 'Alternativas nuevas', num: true }, { label: 'Actualizadas', num: true }, { label: 'Vínculos a vehículos', num: true }, 'Problemas'],
      items.map(importRow)));
    const busy = items.some((i) => i.status === 'pending' || i.status === 'processing');
    if (busy && !$('#panel-imports').hidden) importsTimer = setTimeout(loadImports, POLL_MS);
  } catch (error) {
    clear(importsBox, errorNotice(error, 'No se pudieron cargar las importaciones'));
  }
}

function importRow(item) {
  const [text, kind] = IMPORT_STATUS[item.status] ?? [item.status, ''];
  const problems = Object.values(item.problem_counts ?? {}).reduce((sum, n) => sum + n, 0);
  const status = h('div', {},
    h('span', { class: `badge ${kind}` }, text),
    item.status === 'processing'
      ? h('div', { class: 'small muted' }, `${count(item.rows_processed)} filas leídas`, progressBar(null, 0, `Avance de ${item.filename}`))
      : null,
    item.status === 'failed' && item.error_log ? h('div', { class: 'small' }, item.error_log.split('\n')[0]) : null);
  return [
    String(item.import_id),
    item.filename,
    date(item.created_at),
    status,
    count(item.rows_imported),
    count(item.rows_rejected),
    count(item.aftermarket_created),
    count(item.aftermarket_updated),
    count(item.vehicle_links_created),
    problems > 0
      ? h('button', { type: 'button', class: 'link', 'aria-label': `Descargar problemas de la importación ${item.import_id}`,
        onclick: (event) => downloadProblems(item, event.currentTarget) }, `${count(problems)} · Descargar CSV`)
      : (item.status === 'completed' ? 'Ninguno' : '—'),
  ];
}

async function downloadProblems(item, button) {
  button.disabled = true;
  try {
    const response = await api(`/api/admin/catalog-imports/${item.import_id}/problems.csv`, { raw: true });
    saveBlob(await response.blob(), `problemas-importacion-${item.import_id}.csv`);
  } catch (error) {
    clear(importMessage, errorNotice(error, 'No se pudo descargar el reporte'));
  } finally {
    button.disabled = false;
  }
}

// ---- start -----------------------------------------------------------------------------------------------------

const START_TABS = { '#migracion': 'tab-migration', '#importar': 'tab-imports' };

const user = await initPage({ roles: STAFF });
if (user) {
  loadUsers(1);
  selectTab($(`#${START_TABS[location.hash] ?? 'tab-users'}`));
}
