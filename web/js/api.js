// The one way the pages talk to the API: adds the bearer token, refreshes it once on a 401 and retries,
// and turns RFC 7807 problem details into errors with Spanish text.
//
// Tokens: the access token (15 min) and the user live in sessionStorage, per tab. The refresh token never reaches
// this code: the server keeps it in the HttpOnly cookie "nexus_refresh" because every auth call here sends
// X-Nexus-Client: web. A localStorage flag only remembers that such a cookie probably exists, so a new tab can
// restore the session without sending a refresh for every visitor.

const ACCESS_KEY = 'nexus.access';
const USER_KEY = 'nexus.user';
const EXPIRES_KEY = 'nexus.access_expires';
const HINT_KEY = 'nexus.has_session';
const WEB_HEADERS = { 'X-Nexus-Client': 'web' };

/** An API failure with Spanish `title` and `detail`, the HTTP `status`, and field `errors` ({ field: [messages] }). */
export class ApiError extends Error {
  constructor({ status, title, detail, errors, problem }) {
    super(detail ? `${title}. ${detail}` : title);
    this.name = 'ApiError';
    this.status = status;
    this.title = title;
    this.detail = detail;
    this.errors = errors ?? {};
    this.problem = problem;
  }
}

// ---- session ---------------------------------------------------------------------------------------------------

export function currentUser() {
  try {
    return JSON.parse(sessionStorage.getItem(USER_KEY) ?? 'null');
  } catch {
    return null;
  }
}

const accessToken = () => sessionStorage.getItem(ACCESS_KEY);

function storeSession(tokens) {
  sessionStorage.setItem(ACCESS_KEY, tokens.access_token);
  sessionStorage.setItem(EXPIRES_KEY, String(Date.now() + tokens.expires_in * 1000));
  sessionStorage.setItem(USER_KEY, JSON.stringify(tokens.user));
  localStorage.setItem(HINT_KEY, '1');
  window.dispatchEvent(new CustomEvent('nexus:session', { detail: tokens.user }));
}

function forgetSession() {
  const hadUser = currentUser() !== null;
  sessionStorage.removeItem(ACCESS_KEY);
  sessionStorage.removeItem(EXPIRES_KEY);
  sessionStorage.removeItem(USER_KEY);
  localStorage.removeItem(HINT_KEY);
  if (hadUser) window.dispatchEvent(new CustomEvent('nexus:session', { detail: null }));
}

/**
 * Logs in: resolves to { user } or, when the account has two-step verification on, to { mfaToken } for verifyMfa
 * (the password alone then opens no session).
 */
export async function login(email, password) {
  const answer = await request('/api/auth/login', { method: 'POST', body: { email, password }, headers: WEB_HEADERS, auth: false });
  if (answer.mfa_required) return { mfaToken: answer.mfa_token };
  storeSession(answer);
  return { user: answer.user };
}

/** The login's second step: the challenge of login() and a 6-digit or recovery code; resolves to the user. */
export async function verifyMfa(mfaToken, code) {
  const tokens = await request('/api/auth/mfa/verify', {
    method: 'POST', body: { mfa_token: mfaToken, code }, headers: WEB_HEADERS, auth: false,
  });
  storeSession(tokens);
  return tokens.user;
}

/** Title of the 403 problem for an admin who must turn on two-step verification first (Auth:RequireMfaForAdmins). */
export const MFA_ENROLMENT_REQUIRED = 'MFA enrolment required';

export async function logout() {
  try {
    await request('/api/auth/logout', { method: 'POST', body: {}, headers: WEB_HEADERS, retry: false });
  } finally {
    forgetSession();
  }
}

let refreshing = null;

/**
 * Trades the cookie for a new access token. One refresh at a time, across tabs too (Web Locks): the server rotates
 * the refresh token on every use and treats a replayed one as theft, so two tabs must never race with one cookie.
 */
export function refresh() {
  refreshing ??= (async () => {
    const run = async () => {
      try {
        storeSession(await request('/api/auth/refresh', { method: 'POST', body: {}, headers: WEB_HEADERS, auth: false, retry: false }));
        return true;
      } catch (error) {
        if (error.status === 401 || error.status === 400) {
          forgetSession();
          return false;
        }
        throw error;
      }
    };
    return navigator.locks ? navigator.locks.request('nexus-refresh', run) : run();
  })().finally(() => { refreshing = null; });
  return refreshing;
}

/** On page load: a tab without a token, but with a session cookie from an earlier login, gets a fresh token. */
export async function restoreSession() {
  if (accessToken() || localStorage.getItem(HINT_KEY) !== '1') return currentUser();
  try {
    await refresh();
  } catch {
    // Offline or server down: the page still works for the public catalog.
  }
  return currentUser();
}

// ---- requests --------------------------------------------------------------------------------------------------

/**
 * api('/api/parts/search?q=…') → parsed JSON (or null for 204).
 * Options: method, body (JSON), form (FormData), headers, raw (return the Response, e.g. for CSV), auth, retry.
 */
export async function api(path, options = {}) {
  const { retry = true, auth = true } = options;
  if (auth && accessToken() && Number(sessionStorage.getItem(EXPIRES_KEY)) < Date.now() + 15_000) {
    await refresh().catch(() => false);
  }
  try {
    return await request(path, options);
  } catch (error) {
    const mayRefresh = retry && auth && error.status === 401 && localStorage.getItem(HINT_KEY) === '1';
    if (mayRefresh && (await refresh().catch(() => false))) {
      return request(path, { ...options, retry: false });
    }
    if (error.status === 401 && auth && currentUser()) {
      forgetSession();
    }
    // Staff who must turn on two-step verification are sent to where they can do it.
    if (error.status === 403 && error.problem?.title === MFA_ENROLMENT_REQUIRED && !location.pathname.endsWith('/cuenta.html')) {
      location.href = 'cuenta.html?mfa=obligatoria#mfa';
    }
    throw error;
  }
}

async function request(path, { method = 'GET', body, form, headers = {}, raw = false, auth = true } = {}) {
  const init = { method, headers: { Accept: 'application/json, application/problem+json, */*', ...headers }, credentials: 'same-origin' };
  const token = accessToken();
  if (auth && token) init.headers.Authorization = `Bearer ${token}`;
  if (form) {
    init.body = form;
  } else if (body !== undefined) {
    init.headers['Content-Type'] = 'application/json';
    init.body = JSON.stringify(body);
  }
  let response;
  try {
    response = await fetch(path, init);
  } catch {
    throw new ApiError({
      status: 0,
      title: 'Sin conexión con el servidor',
      detail: 'Revisa tu conexión a internet e intenta de nuevo.',
    });
  }
  if (!response.ok) throw await problemOf(response);
  if (raw) return response;
  if (response.status === 204) return null;
  const type = response.headers.get('Content-Type') ?? '';
  return type.includes('json') ? response.json() : response.text();
}

// ---- problem details in Spanish ----------------------------------------------------------------------------------

const STATUS_TITLES = {
  400: 'La solicitud no es válida',
  401: 'Necesitas iniciar sesión',
  403: 'No tienes permiso para esto',
  404: 'No se encontró',
  409: 'No se puede hacer en este momento',
  413: 'El archivo es demasiado grande',
  415: 'Formato no admitido',
  429: 'Demasiados intentos',
  500: 'Ocurrió un error en el servidor',
  502: 'El servidor no responde',
  503: 'El servicio no está disponible por ahora',
};

// Titles the API writes in English, with their Spanish title and (when useful) a Spanish detail.
const KNOWN_TITLES = {
  'One or more validation errors occurred.': ['Revisa los datos marcados', null],
  'Invalid credentials': ['Correo o contraseña incorrectos',
    'Revisa tus datos. Si acabas de registrarte, tu cuenta puede seguir pendiente de aprobación.'],
  'Too many failed login attempts': ['Demasiados intentos fallidos', null],
  'Invalid refresh token': ['Tu sesión terminó', 'Inicia sesión de nuevo.'],
  'Invalid MFA code': ['Código incorrecto', 'Revisa el código de tu aplicación de autenticación (cambia cada 30 segundos) o usa uno de tus códigos de recuperación.'],
  'Invalid MFA challenge': ['El tiempo para escribir el código terminó', 'Inicia sesión de nuevo con tu correo y contraseña.'],
  'MFA enrolment required': ['Activa la verificación en dos pasos',
    'Las cuentas de administración deben activarla antes de usar las demás funciones.'],
  'MFA already active': ['La verificación en dos pasos ya está activada', 'Desactívala antes de configurar otra aplicación.'],
  'No pending MFA setup': ['No hay una activación en curso', 'Vuelve a empezar la activación.'],
  'MFA is not active': ['La verificación en dos pasos no está activada', null],
  'Part not found': ['Pieza no encontrada', 'La pieza no existe o fue retirada del catálogo.'],
  'Make not found': ['Marca sin vehículos', 'No hay vehículos registrados de esa marca.'],
  'Model not found': ['Modelo sin vehículos', 'No hay años registrados para ese modelo.'],
  'User not found': ['Usuario no encontrado', 'La cuenta ya no existe.'],
  'Session not found': ['Esa sesión ya no está abierta', 'Actualiza la lista de sesiones.'],
  'Cannot deactivate your own account': ['No puedes desactivar tu propia cuenta', null],
  'Email already registered': ['Ese correo ya está registrado', 'Usa otro correo o busca la cuenta existente.'],
  'Not allowed': ['No permitido', 'Tu rol no puede crear ese tipo de cuenta.'],
  'Migration run not found': ['Migración no encontrada', null],
  'Migration state does not allow this': ['La migración no lo permite en su estado actual',
    'Puede que otra migración esté en curso o que esta ya haya terminado. Actualiza la lista.'],
  'Batch messages could not be queued': ['No se pudieron encolar los lotes',
    'La migración quedó registrada; intenta reanudarla en unos momentos.'],
  'Unauthorized': ['Necesitas iniciar sesión', null],
  'Forbidden': ['No tienes permiso para esto', null],
  'Not Found': ['No se encontró', null],
  'An error occurred while processing your request.': ['Ocurrió un error en el servidor', 'Intenta de nuevo en unos momentos.'],
};

// Field messages the API writes in English.
const FIELD_MESSAGES = [
  [/is required/i, () => 'Este dato es obligatorio.'],
  [/Password must be at least (\d+) characters/i, (m) => `La contraseña debe tener al menos ${m[1]} caracteres.`],
  [/must be at least (\d+) characters/i, (m) => `Debe tener al menos ${m[1]} caracteres.`],
  [/bytes in UTF-8/i, () => 'La contraseña es demasiado larga.'],
  [/most common passwords/i, () => 'Es una de las contraseñas más comunes y fáciles de adivinar; elige otra.'],
  [/Password must not contain "([^"]+)"/i, (m) => `No uses «${m[1]}» en la contraseña: el nombre de Nexus o datos de tu cuenta (correo, nombre, negocio) son fáciles de adivinar.`],
  [/current password is wrong/i, () => 'La contraseña actual no es correcta.'],
  [/code is wrong, expired or already used/i, () => 'El código no es correcto, ya caducó o ya se usó.'],
  [/Code must be the 6 digits/i, () => 'Escribe los 6 dígitos que muestra tu aplicación.'],
  [/must be at most (\d+) characters/i, (m) => `Debe tener como máximo ${m[1]} caracteres.`],
  [/not a valid address/i, () => 'No es un correo electrónico válido.'],
  [/Role must be one of/i, () => 'Elige un tipo de cuenta válido.'],
  [/part number search needs at least (\d+)/i, (m) => `Escribe al menos ${m[1]} letras o números del número de parte.`],
  [/name search needs at least (\d+)/i, (m) => `Escribe al menos ${m[1]} letras del nombre.`],
  [/must be a whole number from (\d+) to (\d+)/i, (m) => `Debe ser un número entero de ${m[1]} a ${m[2]}.`],
  [/must be between (\d+) and (\d+)/i, (m) => `Debe estar entre ${m[1]} y ${m[2]}.`],
  [/Pages beyond/i, () => 'No hay más páginas: afina la búsqueda.'],
  [/Status must be pending or active/i, () => 'Estado no válido.'],
];

/** "Spanish / English" texts (the inventory API writes both): keep the Spanish half. */
const spanishHalf = (text) => (typeof text === 'string' && text.includes(' / ') ? text.split(' / ')[0].trim() : text);

const looksSpanish = (text) =>
  /[áéíóúñ¿¡]/i.test(text) || /\b(el|la|los|las|de|del|debe|una?|es|con|para|por|sin|no|ya|tu|tus|hay)\b/i.test(text);

function spanishFieldMessage(message) {
  const text = spanishHalf(String(message));
  for (const [pattern, translate] of FIELD_MESSAGES) {
    const match = text.match(pattern);
    if (match) return translate(match);
  }
  return looksSpanish(text) ? text : 'Revisa este dato.';
}

async function problemOf(response) {
  let problem = null;
  try {
    const type = response.headers.get('Content-Type') ?? '';
    if (type.includes('json')) problem = await response.json();
  } catch {
    problem = null;
  }
  const status = response.status;
  const rawTitle = problem?.title;
  const known = rawTitle ? KNOWN_TITLES[rawTitle] : null;
  const titleHalf = spanishHalf(rawTitle);
  let title = known?.[0] ?? (titleHalf && looksSpanish(titleHalf) ? titleHalf : STATUS_TITLES[status] ?? `Error ${status}`);
  let detail = known ? known[1] : null;
  if (!known && problem?.detail) {
    detail = looksSpanish(spanishHalf(problem.detail)) ? spanishHalf(problem.detail) : null;
  }
  if (status === 429) {
    const seconds = Number(response.headers.get('Retry-After'));
    detail = seconds > 0 ? `Espera ${seconds} segundos e intenta de nuevo.` : 'Espera un momento e intenta de nuevo.';
  }
  if (status >= 500 && !detail) detail = 'Intenta de nuevo en unos momentos. Si el problema sigue, avisa al administrador.';
  const errors = {};
  for (const [field, messages] of Object.entries(problem?.errors ?? {})) {
    errors[field] = (Array.isArray(messages) ? messages : [String(messages)]).map(spanishFieldMessage);
  }
  if (status === 400 && !known && Object.keys(errors).length > 0 && title === STATUS_TITLES[400]) {
    title = 'Revisa los datos marcados';
  }
  return new ApiError({ status, title, detail, errors, problem });
}

/** All field messages of an error as one line (for places without a form field to attach them to). */
export function fieldSummary(error) {
  return Object.values(error.errors ?? {}).flat().join(' ');
}
