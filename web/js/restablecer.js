// Setting a new password with the one-time link an administrator started (restablecer.html#token=…). The token travels
// in the fragment, which browsers never send to a server; it is taken out of the address bar as soon as the page loads.
import { api } from './api.js';
import { $, clear, errorNotice, h, notice, showFieldErrors } from './dom.js';
import { initPage } from './nav.js';

const token = new URLSearchParams(location.hash.slice(1)).get('token') ?? '';
if (location.hash) history.replaceState(null, '', location.pathname + location.search);

const form = $('#reset-form');
const message = $('#reset-message');
const fields = { new_password: $('#reset-password'), confirm_password: $('#reset-confirm') };

function linkMissing() {
  form.hidden = true;
  clear(message, notice('error', 'Falta el enlace de restablecimiento',
    'Abre el enlace completo que te dio un administrador, o pídele uno nuevo.'));
}

form.addEventListener('submit', async (event) => {
  event.preventDefault();
  clear(message);
  const errors = {};
  const password = fields.new_password.value;
  if ([...password].length < 10) errors.new_password = ['La contraseña debe tener al menos 10 caracteres.'];
  else if (fields.confirm_password.value !== password) errors.confirm_password = ['No coincide con la contraseña nueva.'];
  if (showFieldErrors(form, fields, errors)) return;
  const button = $('#reset-submit');
  button.disabled = true;
  button.textContent = 'Guardando…';
  try {
    await api('/api/auth/password-reset', { method: 'POST', body: { token, new_password: password }, auth: false, retry: false });
    form.reset();
    form.hidden = true;
    clear(message,
      notice('ok', 'Contraseña guardada', 'Ya puedes iniciar sesión con ella. Tus sesiones anteriores se cerraron.'),
      h('a', { class: 'button-link', href: 'login.html' }, 'Iniciar sesión'));
  } catch (error) {
    clear(message, errorNotice(error, 'No se pudo guardar la contraseña'));
    showFieldErrors(form, fields, error.errors);
  } finally {
    button.disabled = false;
    button.textContent = 'Guardar contraseña';
  }
});

await initPage();
if (!token) linkMissing();
