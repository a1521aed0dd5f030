// The signed-in user's account: change the password, turn two-step verification on or off, see the open sessions and close any of them.
import { api, currentUser, logout, MFA_ENROLMENT_REQUIRED } from './api.js';
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

// ---- two-step verification (TOTP) --------------------------------------------------------------------------------

const mfaMessage = $('#mfa-message');
const mfaStatus = $('#mfa-status');
const mfaParts = { off: $('#mfa-off'), setup: $('#mfa-setup'), recovery: $('#mfa-recovery'), on: $('#mfa-on') };
const confirmForm = $('#mfa-confirm-form');
const confirmFields = { code: $('#mfa-code'), current_password: $('#mfa-password') };
const disableForm = $('#mfa-disable-form');
const disableFields = { current_password: $('#mfa-off-password'), code: $('#mfa-off-code') };

function showMfaPart(name) {
  for (const [part, element] of Object.entries(mfaParts)) element.hidden = part !== name;
}

async function loadMfa() {
  try {
    const status = await api('/api/auth/mfa');
    if (status.enabled) {
      const left = status.recovery_codes_left;
      clear(mfaStatus, notice('ok', 'Activada', `Desde el ${date(status.enabled_at)}. `
        + `Te ${left === 1 ? 'queda 1 código' : `quedan ${left} códigos`} de recuperación.`));
      showMfaPart('on');
    } else {
      clear(mfaStatus, h('p', {}, h('span', { class: 'badge warn' }, 'Desactivada'), ' Tu cuenta está protegida solo con la contraseña.'));
      showMfaPart('off');
    }
  } catch (error) {
    clear(mfaStatus, errorNotice(error, 'No se pudo consultar la verificación en dos pasos'));
  }
}

$('#mfa-start').addEventListener('click', async (event) => {
  const button = event.currentTarget;
  button.disabled = true;
  clear(mfaMessage);
  try {
    const setup = await api('/api/auth/mfa/setup', { method: 'POST' });
    $('#mfa-secret').textContent = setup.secret.replace(/(.{4})(?=.)/g, '$1 ');
    $('#mfa-uri').value = setup.otpauth_uri;
    $('#mfa-uri-link').href = setup.otpauth_uri;
    confirmForm.reset();
    showFieldErrors(confirmForm, confirmFields, {});
    clear(mfaStatus);
    showMfaPart('setup');
    confirmFields.code.focus();
  } catch (error) {
    clear(mfaMessage, errorNotice(error, 'No se pudo empezar la activación'));
  } finally {
    button.disabled = false;
  }
});

$('#mfa-cancel').addEventListener('click', async () => {
  clear(mfaMessage);
  await loadMfa();
});

confirmForm.addEventListener('submit', async (event) => {
  event.preventDefault();
  clear(mfaMessage);
  const code = confirmFields.code.value.trim();
  const errors = {};
  if (!/^\d{6}$/.test(code)) errors.code = ['Escribe los 6 dígitos que muestra tu aplicación.'];
  if (!confirmFields.current_password.value) errors.current_password = ['Este dato es obligatorio.'];
  if (showFieldErrors(confirmForm, confirmFields, errors)) return;
  const button = $('#mfa-confirm');
  button.disabled = true;
  button.textContent = 'Activando…';
  try {
    const { recovery_codes: codes } = await api('/api/auth/mfa/confirm', {
      method: 'POST',
      body: { code, current_password: confirmFields.current_password.value },
    });
    confirmForm.reset();
    $('#mfa-secret').textContent = '';
    $('#mfa-uri').value = '';
    clear($('#mfa-recovery-codes'), codes.map((recoveryCode) => h('li', {}, h('code', {}, recoveryCode))));
    clear(mfaMessage, notice('ok', 'Verificación en dos pasos activada',
      'Desde ahora se te pedirá un código al iniciar sesión. Tus sesiones en otros dispositivos se cerraron.'));
    showMfaPart('recovery');
    $('#mfa-recovery-done').focus();
    await loadSessions();
  } catch (error) {
    clear(mfaMessage, errorNotice(error, 'No se pudo activar'));
    showFieldErrors(confirmForm, confirmFields, error.errors);
  } finally {
    button.disabled = false;
    button.textContent = 'Confirmar y activar';
  }
});

$('#mfa-recovery-done').addEventListener('click', async () => {
  clear($('#mfa-recovery-codes'));
  clear(mfaMessage);
  await loadMfa();
});

disableForm.addEventListener('submit', async (event) => {
  event.preventDefault();
  clear(mfaMessage);
  const errors = {};
  if (!disableFields.current_password.value) errors.current_password = ['Este dato es obligatorio.'];
  if (!disableFields.code.value.trim()) errors.code = ['Escribe el código de tu aplicación o un código de recuperación.'];
  if (showFieldErrors(disableForm, disableFields, errors)) return;
  const button = $('#mfa-disable');
  button.disabled = true;
  try {
    await api('/api/auth/mfa', {
      method: 'DELETE',
      body: { current_password: disableFields.current_password.value, code: disableFields.code.value.trim() },
    });
    disableForm.reset();
    clear(mfaMessage, notice('ok', 'Verificación en dos pasos desactivada',
      'Tu cuenta queda protegida solo con la contraseña. Tus sesiones en otros dispositivos se cerraron.'));
    await loadMfa();
    await loadSessions();
  } catch (error) {
    clear(mfaMessage, errorNotice(error, 'No se pudo desactivar'));
    showFieldErrors(disableForm, disableFields, error.errors);
  } finally {
    button.disabled = false;
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
    clear(sessionsList, error.problem?.title === MFA_ENROLMENT_REQUIRED
      ? notice('info', 'Activa primero la verificación en dos pasos', 'Tus sesiones aparecerán aquí en cuanto la actives.')
      : errorNotice(error, 'No se pudieron cargar las sesiones'));
  }
}

// ---- start -----------------------------------------------------------------------------------------------------

const user = await initPage({ roles: ['TALLER', 'BODEGA', ...STAFF] });
if (user) {
  for (const id of ['#password-username', '#mfa-username', '#mfa-off-username']) $(id).value = currentUser()?.email ?? '';
  $('#account-summary').textContent = `${user.business_name || user.name} · ${user.email} · ${roleLabel(user.role)}`;
  if (new URLSearchParams(location.search).get('mfa') === 'obligatoria') {
    clear(mfaMessage, notice('warn', 'Activa la verificación en dos pasos',
      'Las cuentas de administración deben activarla antes de usar las demás funciones de Nexus.'));
    $('#mfa').focus();
  }
  await loadMfa();
  await loadSessions();
}
