// The signed-in user's account: change the password, see the open sessions and close any of them.
import { api, currentUser, logout } from './api.js';
import { $, clear, empty, errorNotice, h, loading, notice, showFieldErrors, table } from './dom.js';
import { ago, date, roleLabel } from './format.js';
import { initPage, STAFF } from './nav.js';

// ---- password --------------------------------------------------------------------------------------------------

const passwordForm = $('#password-form');
const passwordMessage = $('#password-message');
const passwordFields = {
  current_password: $('#current-password'),
  new_password: $('#new-password'),
  confirm_password: $('#confirm-password'),
};

passwordForm.addEventListener('submit', async (event) => {
  event.preventDefault();
  clear(passwordMessage);
  const errors = {};
  if (!passwordFields.current_password.value) errors.current_password = ['Este dato es obligatorio.'];
  if (passwordFields.new_password.value.length < 10) errors.new_password = ['La contraseña debe tener al menos 10 caracteres.'];
  else if (passwordFields.confirm_password.value !== passwordFields.new_password.value) {
    errors.confirm_password = ['No coincide con la contraseña nueva.'];
  }
  if (showFieldErrors(passwordForm, passwordFields, errors)) return;
  const button = $('#password-submit');
  button.disabled = true;
  button.textContent = 'Cambiando…';
  try {
    await api('/api/auth/password', {
      method: 'POST',
      body: { current_password: passwordFields.current_password.value, new_password: passwordFields.new_password.value },
    });
    passwordForm.reset();
    showFieldErrors(passwordForm, passwordFields, {});
    clear(passwordMessage, notice('ok', 'Contraseña cambiada',
      'Úsala la próxima vez que inicies sesión. Tus sesiones en otros dispositivos se cerraron.'));
    await loadSessions();
  } catch (error) {
    clear(passwordMessage, errorNotice(error, 'No se pudo cambiar la contraseña'));
    showFieldErrors(passwordForm, passwordFields, error.errors);
  } finally {
    button.disabled = false;
    button.textContent = 'Cambiar contraseña';
  }
});

// ---- sessions --------------------------------------------------------------------------------------------------

const sessionsList = $('#sessions-list');
const sessionsMessage = $('#sessions-message');

/** "Chrome en Linux" from a User-Agent, or the raw text when it is unusual; "Desconocido" without one. */
export function deviceOf(userAgent) {
  if (!userAgent) return 'Dispositivo desconocido';
  const browser = [['Edg/', 'Edge'], ['OPR/', 'Opera'], ['Firefox/', 'Firefox'], ['Chrome/', 'Chrome'], ['Safari/', 'Safari']]
    .find(([token]) => userAgent.includes(token))?.[1];
  const system = [['Android', 'Android'], ['iPhone', 'iPhone'], ['iPad', 'iPad'], ['Windows', 'Windows'], ['Mac OS X', 'macOS'], ['Linux', 'Linux']]
    .find(([token]) => userAgent.includes(token))?.[1];
  if (browser && system) return `${browser} en ${system}`;
  return browser ?? system ?? userAgent.slice(0, 60);
}

async function endSession(session, button) {
  button.disabled = true;
  clear(sessionsMessage);
  try {
    await api(`/api/auth/sessions/${encodeURIComponent(session.id)}`, { method: 'DELETE' });
    if (session.current) {
      await logout().catch(() => {});
      location.href = 'login.html';
      return;
    }
    clear(sessionsMessage, notice('ok', 'Sesión cerrada', `${deviceOf(session.user_agent)} ya no tiene acceso a tu cuenta.`));
    await loadSessions();
  } catch (error) {
    button.disabled = false;
    clear(sessionsMessage, errorNotice(error, 'No se pudo cerrar la sesión'));
  }
}

async function loadSessions() {
  clear(sessionsList, loading('Cargando sesiones…'));
  try {
    const { items } = await api('/api/auth/sessions');
    if (items.length === 0) {
      clear(sessionsList, empty('No hay sesiones abiertas.'));
      return;
    }
    const rows = items.map((session) => {
      const label = deviceOf(session.user_agent);
      return [
        h('span', {}, label, session.current ? [' ', h('span', { class: 'badge' }, 'Esta sesión')] : null),
        session.client_address ?? '—',
        date(session.created_at),
        h('time', { datetime: session.last_used_at, title: date(session.last_used_at) }, ago(session.last_used_at)),
        h('button', {
          type: 'button',
          class: 'small secondary',
          'aria-label': session.current ? 'Cerrar esta sesión' : `Cerrar la sesión de ${label} iniciada el ${date(session.created_at)}`,
          onclick: (event) => endSession(session, event.currentTarget),
        }, 'Cerrar'),
      ];
    });
    clear(sessionsList, table(['Dispositivo', 'Dirección', 'Inicio', 'Último uso', 'Acción'], rows,
      { caption: `${items.length} ${items.length === 1 ? 'sesión abierta' : 'sesiones abiertas'}` }));
  } catch (error) {
    clear(sessionsList, errorNotice(error, 'No se pudieron cargar las sesiones'));
  }
}

// ---- start -----------------------------------------------------------------------------------------------------

const user = await initPage({ roles: ['TALLER', 'BODEGA', ...STAFF] });
if (user) {
  $('#password-username').value = currentUser()?.email ?? '';
  $('#account-summary').textContent = `${user.business_name || user.name} · ${user.email} · ${roleLabel(user.role)}`;
  await loadSessions();
}
