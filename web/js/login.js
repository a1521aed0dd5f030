// Login and self-registration (taller or bodega). After login each role goes to its own start page.
import { api, login, verifyMfa } from './api.js';
import { $, clear, errorNotice, h, notice, showFieldErrors } from './dom.js';
import { roleLabel } from './format.js';
import { homeFor, initPage, STAFF } from './nav.js';

const PAGES_BY_ROLE = {
  'index.html': null,
  'bodega.html': ['BODEGA'],
  'admin.html': STAFF,
  'cuenta.html': ['TALLER', 'BODEGA', ...STAFF],
};

/**
 * Where to go after login. ?next= is honoured only for our own pages (never another site) that the role may open,
 * and for the catalog only when it points at something specific (a part or a search); otherwise the role's home.
 */
function destination(user) {
  const next = new URLSearchParams(location.search).get('next') ?? '';
  const match = next.match(/^([a-z]+\.html)(#[^\s]*)?$/);
  if (!match || !(match[1] in PAGES_BY_ROLE)) return homeFor(user);
  const allowed = PAGES_BY_ROLE[match[1]];
  if (allowed && !allowed.includes(user.role)) return homeFor(user);
  if (match[1] === 'index.html' && !match[2]) return homeFor(user);
  return next;
}

function required(form, names) {
  const errors = {};
  for (const name of names) {
    if (!form.elements[name].value.trim()) errors[name] = ['Este dato es obligatorio.'];
  }
  return errors;
}

// ---- login -----------------------------------------------------------------------------------------------------

const loginForm = $('#login-form');
const loginMessage = $('#login-message');
const loginFields = { email: $('#login-email'), password: $('#login-password') };

loginForm.addEventListener('submit', async (event) => {
  event.preventDefault();
  clear(loginMessage);
  const errors = required(loginForm, ['email', 'password']);
  if (showFieldErrors(loginForm, loginFields, errors)) return;
  const button = $('#login-submit');
  button.disabled = true;
  button.textContent = 'Entrando…';
  try {
    const answer = await login(loginFields.email.value.trim(), loginFields.password.value);
    if (answer.mfaToken) {
      showMfaStep(answer.mfaToken);
      return;
    }
    location.href = destination(answer.user);
  } catch (error) {
    loginFields.password.value = '';
    clear(loginMessage, errorNotice(error));
    showFieldErrors(loginForm, loginFields, error.errors);
    if (error.status === 401) loginFields.password.focus();
  } finally {
    button.disabled = false;
    button.textContent = 'Entrar';
  }
});

// ---- second step: two-step verification ------------------------------------------------------------------------

const loginPanel = $('#login-panel');
const mfaPanel = $('#mfa-panel');
const mfaForm = $('#mfa-form');
const mfaMessage = $('#mfa-message');
const mfaFields = { code: $('#mfa-code') };
let mfaToken = null;

/** The password was right and the account has two-step verification on: ask for the code (the challenge lasts 5 minutes). */
function showMfaStep(token) {
  mfaToken = token;
  loginFields.password.value = '';
  clear(mfaMessage);
  mfaForm.reset();
  loginPanel.hidden = true;
  $('#registro').hidden = true;
  mfaPanel.hidden = false;
  mfaFields.code.focus();
}

function restartLogin(message) {
  mfaToken = null;
  mfaPanel.hidden = true;
  loginPanel.hidden = false;
  $('#registro').hidden = false;
  clear(loginMessage, message ?? '');
  loginFields.password.focus();
}

$('#mfa-restart').addEventListener('click', () => restartLogin());

mfaForm.addEventListener('submit', async (event) => {
  event.preventDefault();
  clear(mfaMessage);
  const code = mfaFields.code.value.trim();
  if (showFieldErrors(mfaForm, mfaFields, code ? {} : { code: ['Escribe el código de tu aplicación o un código de recuperación.'] })) return;
  const button = $('#mfa-submit');
  button.disabled = true;
  button.textContent = 'Verificando…';
  try {
    const user = await verifyMfa(mfaToken, code);
    location.href = destination(user);
  } catch (error) {
    mfaFields.code.value = '';
    if (error.problem?.title === 'Invalid MFA challenge') {
      restartLogin(errorNotice(error));
      return;
    }
    clear(mfaMessage, errorNotice(error));
    showFieldErrors(mfaForm, mfaFields, error.errors);
    mfaFields.code.focus();
  } finally {
    button.disabled = false;
    button.textContent = 'Verificar';
  }
});

// ---- registration ----------------------------------------------------------------------------------------------

const registerForm = $('#register-form');
const registerMessage = $('#register-message');
const registerFields = {
  business_name: $('#reg-business'),
  name: $('#reg-name'),
  email: $('#reg-email'),
  phone: $('#reg-phone'),
  address: $('#reg-address'),
  password: $('#reg-password'),
  role: $('#role-taller'),
};

registerForm.addEventListener('submit', async (event) => {
  event.preventDefault();
  clear(registerMessage);
  const errors = required(registerForm, ['business_name', 'name', 'email', 'password']);
  if (!errors.password && registerFields.password.value.length < 10) {
    errors.password = ['La contraseña debe tener al menos 10 caracteres.'];
  }
  if (!errors.email && !/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(registerFields.email.value.trim())) {
    errors.email = ['No es un correo electrónico válido.'];
  }
  if (showFieldErrors(registerForm, registerFields, errors)) return;
  const role = registerForm.elements.role.value;
  const body = {
    role,
    business_name: registerFields.business_name.value.trim(),
    name: registerFields.name.value.trim(),
    email: registerFields.email.value.trim(),
    phone: registerFields.phone.value.trim() || null,
    address: registerFields.address.value.trim() || null,
    password: registerFields.password.value,
  };
  const button = $('#register-submit');
  button.disabled = true;
  button.textContent = 'Enviando…';
  try {
    await api('/api/auth/register', { method: 'POST', body, auth: false });
    showPending(body);
  } catch (error) {
    clear(registerMessage, errorNotice(error, 'No se pudo enviar la solicitud'));
    showFieldErrors(registerForm, registerFields, error.errors);
  } finally {
    button.disabled = false;
    button.textContent = 'Enviar solicitud';
  }
});

/** The "pending approval" state: what happens next, in plain words. */
function showPending(body) {
  const section = $('#registro');
  const title = h('h2', { id: 'pending-title', tabindex: '-1' }, 'Solicitud recibida');
  clear(section,
    title,
    notice('ok', 'Tu cuenta está pendiente de aprobación',
      `Registramos la solicitud de ${roleLabel(body.role).toLowerCase()} para «${body.business_name}» con el correo ${body.email}.`),
    h('p', {}, 'Un administrador de Nexus revisará tus datos. Cuando active tu cuenta podrás iniciar sesión con ese correo y tu contraseña; '
      + 'mientras tanto, el inicio de sesión te indicará que los datos no son válidos.'),
    body.role === 'BODEGA'
      ? h('p', {}, 'Ya aprobada, podrás configurar las columnas de tu archivo y subir tu inventario en CSV o Excel.')
      : h('p', {}, 'Ya aprobada, verás precios y existencias de las bodegas en cada pieza del catálogo.'),
    h('div', { class: 'actions' }, h('a', { class: 'button-link secondary', href: 'index.html' }, 'Consultar el catálogo')));
  title.focus();
}

// ---- start -----------------------------------------------------------------------------------------------------

function focusRegistration() {
  if (location.hash === '#registro') {
    $('#registro').scrollIntoView();
    $('#reg-business').focus();
  }
}

window.addEventListener('hashchange', focusRegistration);
const user = await initPage();
if (user) {
  clear($('#already'),
    h('div', { class: 'notice info', role: 'status' },
      h('strong', {}, `Ya iniciaste sesión como ${user.business_name || user.name} (${roleLabel(user.role)}).`),
      h('p', {}, h('a', { href: homeFor(user) }, 'Ir a mi inicio'), ' o entra con otra cuenta.')));
}
focusRegistration();
if (location.hash !== '#registro') loginFields.email.focus();
