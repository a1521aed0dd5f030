using System.Text.RegularExpressions;
using Microsoft.Playwright;
using MiniExcelLibs;
using Nexus.Core.Auth;
using Nexus.Tests.Infrastructure;
using OtpNet;
using static Microsoft.Playwright.Assertions;

namespace Nexus.Tests.Web;

/// <summary>Accounts and inventories in a real browser: registration, approval, the bodega's mapping and upload, the migration, article imports.</summary>
[Collection(WebCollection.Name)]
public sealed class AccountJourneyTests(BrowserFixture browser)
{
    private const string BodegaPassword = "Refacciones-2026";

    [Fact]
    public async Task A_bodega_registers_an_admin_approves_it_and_the_bodega_maps_and_uploads_an_xlsx()
    {
        var email = $"bodega-{Guid.NewGuid():N}@test.mx";
        var admin = await browser.App.CreateUserAsync(Roles.Admin);

        // 1. Registration, then the pending state and a refused login.
        await using var bodega = await browser.NewSessionAsync(BrowserFixture.Phone);
        var page = bodega.Page;
        await page.GotoAsync("/login.html#registro");
        await page.GetByLabel("Bodega — vendo refacciones").CheckAsync();
        await page.GetByLabel("Nombre del negocio").FillAsync("Refaccionaria La Esperanza");
        await page.GetByLabel("Tu nombre").FillAsync("Rosa Martínez");
        await page.Locator("#reg-email").FillAsync(email);
        await page.GetByLabel("Teléfono").FillAsync("+52 33 1234 5678");
        await page.GetByLabel("Dirección").FillAsync("Av. Patria 100, Zapopan, Jal.");
        await page.Locator("#reg-password").FillAsync("corta");
        await page.GetByRole(AriaRole.Button, new() { Name = "Enviar solicitud" }).ClickAsync();
        await Expect(page.Locator("#reg-password-error")).ToContainTextAsync("al menos 10 caracteres");
        await bodega.ScreenshotAsync("registro-phone");
        await page.Locator("#reg-password").FillAsync(BodegaPassword);
        await page.GetByRole(AriaRole.Button, new() { Name = "Enviar solicitud" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Solicitud recibida" })).ToBeFocusedAsync();
        await Expect(page.Locator("#registro")).ToContainTextAsync("pendiente de aprobación");
        await Expect(page.Locator("#registro")).ToContainTextAsync("Refaccionaria La Esperanza");
        await bodega.ScreenshotAsync("registro-pendiente-phone");
        await LogInAsync(page, email, BodegaPassword);
        await Expect(page.GetByRole(AriaRole.Alert)).ToContainTextAsync("Correo o contraseña incorrectos");

        // 2. The admin approves the pending account.
        await using (var staff = await browser.NewSessionAsync())
        {
            await staff.Page.GotoAsync("/login.html");
            await LogInAsync(staff.Page, admin.Email, TestUsers.Password);
            await Expect(staff.Page).ToHaveURLAsync(new Regex("/admin\\.html"));
            var row = staff.Page.Locator("tr").Filter(new() { HasText = email });
            await Expect(row).ToContainTextAsync("Pendiente");
            await Expect(row).ToContainTextAsync("Bodega");
            await staff.ScreenshotAsync("admin-usuarios-desktop");
            await row.GetByRole(AriaRole.Button, new() { Name = $"Aprobar {email}" }).ClickAsync();
            await Expect(staff.Page.Locator("#users-message")).ToContainTextAsync("Cuenta aprobada: Refaccionaria La Esperanza");
            await Expect(staff.Page.Locator("tr").Filter(new() { HasText = email })).ToContainTextAsync("Activa");
            Assert.Empty(staff.ScriptErrors);
        }

        // 3. The bodega logs in and lands on its page, with no mapping yet.
        await LogInAsync(page, email, BodegaPassword);
        await Expect(page).ToHaveURLAsync(new Regex("/bodega\\.html$"));
        await Expect(page.Locator("#mapping-current")).ToContainTextAsync("Aún no configuras las columnas");
        await Expect(page.Locator("#history-list")).ToContainTextAsync("Todavía no subes ningún archivo");
        await Expect(page.Locator("#inventory-list")).ToContainTextAsync("Tu inventario está vacío");
        await page.SetViewportSizeAsync(BrowserFixture.Desktop.Width, BrowserFixture.Desktop.Height);

        // 4. Mapping wizard: sample file → columns and first rows → suggested mapping accepted, one field changed → saved.
        var file = InventoryWorkbook();
        await page.Locator("#sample-file").SetInputFilesAsync(new FilePayload { Name = "existencias.xlsx", MimeType = XlsxType, Buffer = file });
        await Expect(page.Locator(".sample-table")).ToContainTextAsync("41060-1KA0A");
        await Expect(page.GetByLabel("Número de parte", new() { Exact = true })).ToHaveValueAsync("No. de Parte");
        await Expect(page.GetByLabel("Precio", new() { Exact = true })).ToHaveValueAsync("Precio");
        await Expect(page.GetByLabel("Existencias", new() { Exact = true })).ToHaveValueAsync("Existencias");
        await Expect(page.GetByLabel("Ubicación en almacén")).ToHaveValueAsync("Ubicación");
        await page.GetByLabel("Marca (opcional)").SelectOptionAsync(new SelectOptionValue { Label = "E — Marca" });
        await page.GetByLabel("Ubicación por omisión").FillAsync("Matriz");
        await bodega.ScreenshotAsync("bodega-mapeo-desktop");
        await page.GetByRole(AriaRole.Button, new() { Name = "Guardar columnas" }).ClickAsync();
        await Expect(page.Locator("#mapping-message")).ToContainTextAsync("Columnas guardadas");
        await Expect(page.Locator("#mapping-current")).ToContainTextAsync("Número de parte: «No. de Parte»");

        // 5. Upload straight to storage (SAS URL), processing followed live, rejected rows downloadable.
        await page.Locator("#upload-file").SetInputFilesAsync(new FilePayload { Name = "existencias.xlsx", MimeType = XlsxType, Buffer = file });
        await page.GetByRole(AriaRole.Button, new() { Name = "Subir archivo" }).ClickAsync();
        await Expect(page.Locator("#upload-progress")).ToContainTextAsync("se subió completo");
        var upload = page.Locator("#history-list tr").Filter(new() { HasText = "existencias.xlsx" });
        await Expect(upload).ToContainTextAsync("Terminada", new() { Timeout = 30_000 });
        await Expect(upload.Locator("td").Nth(4)).ToHaveTextAsync("2");
        await Expect(upload.Locator("td").Nth(6)).ToHaveTextAsync("1");
        var download = await page.RunAndWaitForDownloadAsync(() =>
            upload.GetByRole(AriaRole.Button, new() { Name = "Descargar filas rechazadas de existencias.xlsx" }).ClickAsync());
        Assert.StartsWith("errores-carga-", download.SuggestedFilename);
        var rejected = await File.ReadAllTextAsync(await download.PathAsync());
        Assert.Contains("NO-EXISTE-999", rejected);

        var item = page.Locator("#inventory-list tr").Filter(new() { HasText = "41060-1KA0A" });
        await Expect(item).ToContainTextAsync("$450.00");
        await Expect(item).ToContainTextAsync("Pasillo 3");
        await bodega.ScreenshotAsync("bodega-cargas-desktop");
        await page.SetViewportSizeAsync(BrowserFixture.Phone.Width, BrowserFixture.Phone.Height);
        await bodega.ScreenshotAsync("bodega-cargas-phone");
        await page.SetViewportSizeAsync(BrowserFixture.Desktop.Width, BrowserFixture.Desktop.Height);

        // 6. Own inventory: search, then clear it after confirming.
        await page.GetByLabel("Buscar en mi inventario").FillAsync("0986");
        await page.GetByLabel("Buscar en mi inventario").PressAsync("Enter");
        await Expect(page.Locator("#inventory-list tbody tr")).ToHaveCountAsync(1);
        await Expect(page.Locator("#inventory-list")).ToContainTextAsync("0986AB2854");
        await page.GetByRole(AriaRole.Button, new() { Name = "Vaciar inventario…" }).ClickAsync();
        var dialog = page.GetByRole(AriaRole.Dialog, new() { Name = "¿Vaciar tu inventario?" });
        await Expect(dialog).ToBeVisibleAsync();
        await dialog.GetByRole(AriaRole.Button, new() { Name = "Cancelar" }).ClickAsync();
        await Expect(dialog).ToHaveCountAsync(0);
        await page.GetByRole(AriaRole.Button, new() { Name = "Vaciar inventario…" }).ClickAsync();
        await page.GetByRole(AriaRole.Dialog).GetByRole(AriaRole.Button, new() { Name = "Vaciar" }).ClickAsync();
        await Expect(page.Locator("#inventory-message")).ToContainTextAsync("Se eliminaron 2 piezas");
        await page.GetByLabel("Buscar en mi inventario").FillAsync("");
        await page.GetByLabel("Buscar en mi inventario").PressAsync("Enter");
        await Expect(page.Locator("#inventory-list")).ToContainTextAsync("Tu inventario está vacío");
        Assert.Empty(bodega.ScriptErrors);
    }

    [Theory]
    [InlineData("desktop")]
    [InlineData("phone")]
    public async Task An_admin_runs_a_dry_run_migration_and_watches_its_batches_finish(string device)
    {
        var admin = await browser.App.CreateUserAsync(device == "phone" ? Roles.Owner : Roles.Admin);
        await using var session = await browser.NewSessionAsync(device == "phone" ? BrowserFixture.Phone : BrowserFixture.Desktop);
        var page = session.Page;
        await page.GotoAsync("/login.html?next=admin.html%23migracion");
        await LogInAsync(page, admin.Email, TestUsers.Password);
        await Expect(page.GetByRole(AriaRole.Tab, new() { Name = "Migración AFT-" })).ToHaveAttributeAsync("aria-selected", "true");

        await page.GetByLabel("Piezas por lote").FillAsync("50");
        await page.GetByRole(AriaRole.Button, new() { Name = "Simular (sin cambios)" }).ClickAsync();
        await Expect(page.Locator("#batch-size-error")).ToContainTextAsync("de 100 a 50,000");
        await page.GetByLabel("Piezas por lote").FillAsync("100");
        await page.GetByRole(AriaRole.Button, new() { Name = "Simular (sin cambios)" }).ClickAsync();

        await Expect(page.Locator("#migration-message")).ToContainTextAsync(new Regex("Simulación #\\d+ iniciada"));
        var runId = Regex.Match(await page.Locator("#migration-message").InnerTextAsync(), "#(\\d+)").Groups[1].Value;
        var detail = page.Locator("#run-detail");
        await Expect(detail.GetByRole(AriaRole.Heading)).ToContainTextAsync($"Simulación #{runId} ");
        await Expect(detail.GetByRole(AriaRole.Heading)).ToContainTextAsync("Terminada", new() { Timeout = 30_000 });
        await Expect(detail.GetByRole(AriaRole.Heading)).ToContainTextAsync($"Simulación #{runId} ");
        await Expect(detail.Locator(".progress-row .pct").First).ToHaveTextAsync("100 %");
        await Expect(detail.Locator("tbody tr").First).ToContainTextAsync("Terminado");
        await Expect(page.Locator("#runs tbody tr").First).ToContainTextAsync("Simulación");
        await Expect(page.Locator("#runs tbody tr").First.Locator("td").First).ToHaveTextAsync(runId);
        await session.ScreenshotAsync($"admin-migracion-{device}");

        var report = await page.RunAndWaitForDownloadAsync(() => page.Locator("#runs tbody tr").First.GetByRole(AriaRole.Button, new() { NameRegex = new Regex("^Descargar reporte") }).ClickAsync());
        Assert.EndsWith(".csv", report.SuggestedFilename);
        Assert.Empty(session.ScriptErrors);
    }

    [Fact]
    public async Task An_admin_imports_a_supplier_feed_watches_it_finish_and_downloads_its_problems()
    {
        var admin = await browser.App.CreateUserAsync(Roles.Admin);
        await using var session = await browser.NewSessionAsync(BrowserFixture.Desktop);
        var page = session.Page;
        await page.GotoAsync("/login.html?next=admin.html%23importar");
        await LogInAsync(page, admin.Email, TestUsers.Password);
        await Expect(page.GetByRole(AriaRole.Tab, new() { Name = "Importar artículos" })).ToHaveAttributeAsync("aria-selected", "true");

        await page.GetByRole(AriaRole.Button, new() { Name = "Importar archivo" }).ClickAsync();
        await Expect(page.Locator("#import-file-error")).ToContainTextAsync("Elige el archivo CSV");
        // FL-820-S (the Focus oil filter) gets a BOSCH alternative; the second row's supplier is no manufacturer.
        var feed = "proveedor,numero_articulo,nombre,categoria,numeros_oem,vehiculos\n"u8.ToArray()
            .Concat("BOSCH,WEB-0451,Filtro de aceite BOSCH,Filtros,FL-820-S,\nNadie S.A.,WEB-0452,,,FL-820-S,\n"u8.ToArray()).ToArray();
        await page.Locator("#import-file").SetInputFilesAsync(new FilePayload { Name = "proveedor-web.csv", MimeType = "text/csv", Buffer = feed });
        await page.GetByRole(AriaRole.Button, new() { Name = "Importar archivo" }).ClickAsync();

        await Expect(page.Locator("#import-message")).ToContainTextAsync(new Regex("Importación #\\d+ recibida"));
        var import = page.Locator("#imports tbody tr").Filter(new() { HasText = "proveedor-web.csv" });
        await Expect(import).ToContainTextAsync("Terminada", new() { Timeout = 30_000 });
        await Expect(import.Locator("td").Nth(4)).ToHaveTextAsync("1");
        await Expect(import.Locator("td").Nth(5)).ToHaveTextAsync("1");
        await Expect(import.Locator("td").Nth(6)).ToHaveTextAsync("1");
        await session.ScreenshotAsync("admin-importar-desktop");

        var report = await page.RunAndWaitForDownloadAsync(() => import.GetByRole(AriaRole.Button, new() { NameRegex = new Regex("^Descargar problemas") }).ClickAsync());
        Assert.Matches("^problemas-importacion-\\d+\\.csv$", report.SuggestedFilename);
        var text = await File.ReadAllTextAsync(await report.PathAsync());
        Assert.Contains("3,proveedor_desconocido,Nadie S.A.,", text);
        Assert.Empty(session.ScriptErrors);
    }

    [Fact]
    public async Task A_taller_closes_a_forgotten_session_and_changes_the_password_on_the_account_page()
    {
        // CreateUserAsync opens a session of its own: the "other device" the user will close.
        var taller = await browser.App.CreateUserAsync(Roles.Taller);
        await using var session = await browser.NewSessionAsync(BrowserFixture.Desktop);
        var page = session.Page;
        await LogInAsync(page, taller.Email, TestUsers.Password);
        await page.GetByRole(AriaRole.Link, new() { Name = "Mi cuenta" }).ClickAsync();
        await Expect(page).ToHaveURLAsync(new Regex("/cuenta\\.html$"));
        await Expect(page.Locator("#account-summary")).ToContainTextAsync(taller.Email);

        // 1. Two open sessions, this one marked; closing the other ends its tokens at once.
        var rows = page.Locator("#sessions-list tbody tr");
        await Expect(rows).ToHaveCountAsync(2);
        await Expect(rows.First).ToContainTextAsync("Esta sesión");
        await Expect(rows.First).ToContainTextAsync("Chrome en Linux");
        await session.ScreenshotAsync("cuenta-desktop");
        await rows.Nth(1).GetByRole(AriaRole.Button, new() { NameRegex = new Regex("^Cerrar la sesión de Dispositivo desconocido") }).ClickAsync();
        await Expect(page.Locator("#sessions-message")).ToContainTextAsync("Sesión cerrada");
        await Expect(rows).ToHaveCountAsync(1);
        using var api = new HttpClient { BaseAddress = new Uri(browser.BaseUrl) };
        Assert.Equal(System.Net.HttpStatusCode.Unauthorized, (await api.RefreshAsync(taller.RefreshToken)).StatusCode);

        // 2. A password naming the app, then a common one, are refused with the reason; a good one is taken.
        await page.GetByLabel("Contraseña actual").FillAsync(TestUsers.Password);
        await page.Locator("#new-password").FillAsync("mi-clave-nexus-2026");
        await page.GetByLabel("Repite la contraseña nueva").FillAsync("mi-clave-nexus-2026");
        await page.GetByRole(AriaRole.Button, new() { Name = "Cambiar contraseña" }).ClickAsync();
        await Expect(page.Locator("#new-password-error")).ToContainTextAsync("No uses «nexus»");
        await page.Locator("#new-password").FillAsync("password1234");
        await page.GetByLabel("Repite la contraseña nueva").FillAsync("password1234");
        await page.GetByRole(AriaRole.Button, new() { Name = "Cambiar contraseña" }).ClickAsync();
        await Expect(page.Locator("#new-password-error")).ToContainTextAsync("más comunes");
        await page.Locator("#new-password").FillAsync("tornillo-violeta-73");
        await page.GetByLabel("Repite la contraseña nueva").FillAsync("tornillo-violeta-7");
        await page.GetByRole(AriaRole.Button, new() { Name = "Cambiar contraseña" }).ClickAsync();
        await Expect(page.Locator("#confirm-password-error")).ToContainTextAsync("No coincide");
        await page.GetByLabel("Repite la contraseña nueva").FillAsync("tornillo-violeta-73");
        await page.GetByRole(AriaRole.Button, new() { Name = "Cambiar contraseña" }).ClickAsync();
        await Expect(page.Locator("#password-message")).ToContainTextAsync("Contraseña cambiada");
        Assert.Equal(System.Net.HttpStatusCode.OK, (await api.LoginAsync(taller.Email, "tornillo-violeta-73")).StatusCode);
        Assert.Equal(System.Net.HttpStatusCode.Unauthorized, (await api.LoginAsync(taller.Email, TestUsers.Password)).StatusCode);

        // 3. Closing this session is a logout.
        await rows.First.GetByRole(AriaRole.Button, new() { Name = "Cerrar esta sesión" }).ClickAsync();
        await Expect(page).ToHaveURLAsync(new Regex("/login\\.html$"));
        await Expect(page.GetByRole(AriaRole.Link, new() { Name = "Mi cuenta" })).ToHaveCountAsync(0);
        Assert.Empty(session.ScriptErrors);
    }

    [Fact]
    public async Task An_admin_gets_a_one_time_reset_link_and_the_user_chooses_the_new_password_with_it()
    {
        var admin = await browser.App.CreateUserAsync(Roles.Admin);
        var bodega = await browser.App.CreateUserAsync(Roles.Bodega);

        // 1. The admin asks for a link on the users tab and copies it; no password is typed by the admin.
        string link;
        await using (var staff = await browser.NewSessionAsync())
        {
            await LogInAsync(staff.Page, admin.Email, TestUsers.Password);
            await Expect(staff.Page).ToHaveURLAsync(new Regex("/admin\\.html"));
            await staff.Page.Locator("#filter-role").SelectOptionAsync("BODEGA");
            await staff.Page.Locator("#filter-status").SelectOptionAsync("active");
            var row = staff.Page.Locator("tr").Filter(new() { HasText = bodega.Email });
            await row.GetByRole(AriaRole.Button, new() { Name = $"Restablecer la contraseña de {bodega.Email}" }).ClickAsync();
            await staff.Page.GetByRole(AriaRole.Dialog).GetByRole(AriaRole.Button, new() { Name = "Obtener enlace" }).ClickAsync();
            await Expect(staff.Page.Locator("#users-message")).ToContainTextAsync("Enlace para restablecer la contraseña");
            link = await staff.Page.Locator("#reset-link").InputValueAsync();
            Assert.Matches(new Regex("/restablecer\\.html#token=[A-Za-z0-9_-]{43}$"), link);
            await staff.ScreenshotAsync("admin-restablecer-desktop");
            Assert.Empty(staff.ScriptErrors);
        }

        // 2. The user opens it: the token leaves the address bar, the policy applies, the new password is saved.
        await using var user = await browser.NewSessionAsync(BrowserFixture.Phone);
        var page = user.Page;
        await page.GotoAsync(link);
        await Expect(page).ToHaveURLAsync(new Regex("/restablecer\\.html$"));
        await page.Locator("#reset-password").FillAsync("mi-clave-nexus-2026");
        await page.Locator("#reset-confirm").FillAsync("mi-clave-nexus-2026");
        await page.GetByRole(AriaRole.Button, new() { Name = "Guardar contraseña" }).ClickAsync();
        await Expect(page.Locator("#reset-password-error")).ToContainTextAsync("No uses «nexus»");
        await page.Locator("#reset-password").FillAsync("tuerca-azul-de-acero");
        await page.Locator("#reset-confirm").FillAsync("tuerca-azul-de-acero");
        await page.GetByRole(AriaRole.Button, new() { Name = "Guardar contraseña" }).ClickAsync();
        await Expect(page.Locator("#reset-message")).ToContainTextAsync("Contraseña guardada");
        await user.ScreenshotAsync("restablecer-phone");
        using var api = new HttpClient { BaseAddress = new Uri(browser.BaseUrl) };
        Assert.Equal(System.Net.HttpStatusCode.Unauthorized, (await api.RefreshAsync(bodega.RefreshToken)).StatusCode);
        await page.GetByRole(AriaRole.Link, new() { Name = "Iniciar sesión" }).Last.ClickAsync();
        await LogInAsync(page, bodega.Email, "tuerca-azul-de-acero");
        await Expect(page).ToHaveURLAsync(new Regex("/bodega\\.html$"));

        // 3. The link works once.
        await page.GotoAsync(link);
        await page.Locator("#reset-password").FillAsync("otra-tuerca-de-acero");
        await page.Locator("#reset-confirm").FillAsync("otra-tuerca-de-acero");
        await page.GetByRole(AriaRole.Button, new() { Name = "Guardar contraseña" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Alert)).ToContainTextAsync("Enlace de restablecimiento no válido");
        Assert.Empty(user.ScriptErrors);
    }

    [Fact]
    public async Task A_taller_turns_on_two_step_verification_on_the_account_page_and_then_logs_in_with_a_code()
    {
        var taller = await browser.App.CreateUserAsync(Roles.Taller);
        await using var session = await browser.NewSessionAsync(BrowserFixture.Phone);
        var page = session.Page;
        await LogInAsync(page, taller.Email, TestUsers.Password);
        // The login ends on the catalog; going to the account page before that navigation lands would be cut short by it.
        await Expect(page).ToHaveURLAsync(new Regex("/index\\.html$"));
        await Expect(page.GetByRole(AriaRole.Link, new() { Name = "Mi cuenta" })).ToBeVisibleAsync();
        await page.GotoAsync("/cuenta.html");
        await Expect(page.Locator("#mfa-status")).ToContainTextAsync("Desactivada");

        // 1. The secret for manual entry and the otpauth URI; the test is the authenticator app (Otp.NET).
        await page.GetByRole(AriaRole.Button, new() { Name = "Activar verificación en dos pasos" }).ClickAsync();
        await Expect(page.Locator("#mfa-uri")).ToHaveValueAsync(new Regex("^otpauth://totp/Nexus%20Autoparts:"));
        var base32 = (await page.Locator("#mfa-secret").InnerTextAsync()).Replace(" ", "");
        Assert.Equal($"otpauth://totp/Nexus%20Autoparts:{taller.Email}?secret={base32}&issuer=Nexus%20Autoparts",
            await page.Locator("#mfa-uri").InputValueAsync());
        var authenticator = new Totp(Base32Encoding.ToBytes(base32));
        await session.ScreenshotAsync("cuenta-mfa-phone");
        await page.GetByLabel("Código de 6 dígitos").FillAsync(await MfaApi.WrongCodeAsync(Base32Encoding.ToBytes(base32)));
        await page.Locator("#mfa-password").FillAsync(TestUsers.Password);
        await page.GetByRole(AriaRole.Button, new() { Name = "Confirmar y activar" }).ClickAsync();
        await Expect(page.Locator("#mfa-code-error")).ToContainTextAsync("no es correcto");
        await page.GetByLabel("Código de 6 dígitos").FillAsync(await MfaApi.CodeAsync(Base32Encoding.ToBytes(base32)));
        await page.GetByRole(AriaRole.Button, new() { Name = "Confirmar y activar" }).ClickAsync();

        // 2. The recovery codes, shown this once.
        await Expect(page.Locator("#mfa-message")).ToContainTextAsync("Verificación en dos pasos activada");
        await Expect(page.Locator("#mfa-recovery-codes li")).ToHaveCountAsync(10);
        await session.ScreenshotAsync("cuenta-mfa-codigos-phone");
        await page.GetByRole(AriaRole.Button, new() { Name = "Ya los guardé" }).ClickAsync();
        await Expect(page.Locator("#mfa-recovery-codes li")).ToHaveCountAsync(0);
        await Expect(page.Locator("#mfa-status")).ToContainTextAsync("quedan 10 códigos de recuperación");

        // 3. Log out; the password alone now leads to the second step, where a wrong code is refused and the right one enters.
        await page.GetByRole(AriaRole.Button, new() { Name = "Cerrar sesión" }).ClickAsync();
        // Logging out ends on the catalog; going to the login page before that navigation lands would be cut short by it.
        await Expect(page).ToHaveURLAsync(new Regex("/index\\.html$"));
        await Expect(page.GetByRole(AriaRole.Link, new() { Name = "Mi cuenta" })).ToHaveCountAsync(0);
        await LogInAsync(page, taller.Email, TestUsers.Password);
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Verificación en dos pasos" })).ToBeVisibleAsync();
        await Expect(page.GetByRole(AriaRole.Link, new() { Name = "Mi cuenta" })).ToHaveCountAsync(0);
        await page.GetByLabel("Código de verificación").FillAsync(await MfaApi.WrongCodeAsync(Base32Encoding.ToBytes(base32)));
        await page.GetByRole(AriaRole.Button, new() { Name = "Verificar" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Alert)).ToContainTextAsync("Código incorrecto");
        await session.ScreenshotAsync("login-mfa-phone");
        // The next step's code: the one used to confirm can never be used again.
        await page.GetByLabel("Código de verificación").FillAsync(authenticator.ComputeTotp(DateTime.UtcNow.AddSeconds(30)));
        await page.GetByRole(AriaRole.Button, new() { Name = "Verificar" }).ClickAsync();
        await Expect(page).ToHaveURLAsync(new Regex("/index\\.html$"));
        await Expect(page.GetByRole(AriaRole.Link, new() { Name = "Mi cuenta" })).ToBeVisibleAsync();
        Assert.Empty(session.ScriptErrors);
    }

    private const string XlsxType = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

    private static async Task LogInAsync(IPage page, string email, string password)
    {
        if (!page.Url.Contains("/login.html", StringComparison.Ordinal))
        {
            await page.GotoAsync("/login.html");
        }
        await page.Locator("#login-email").FillAsync(email);
        await page.Locator("#login-password").FillAsync(password);
        await page.GetByRole(AriaRole.Button, new() { Name = "Entrar" }).ClickAsync();
    }

    /// <summary>Two known parts and one unknown number (rejected), with the headers a Mexican bodega would write.</summary>
    private static byte[] InventoryWorkbook()
    {
        var rows = new List<Dictionary<string, object?>>
        {
            new() { ["No. de Parte"] = "41060-1KA0A", ["Precio"] = 450.00, ["Existencias"] = 12, ["Ubicación"] = "Pasillo 3", ["Marca"] = "Nissan" },
            new() { ["No. de Parte"] = "0 986 AB2 854", ["Precio"] = 1234.50, ["Existencias"] = 5, ["Ubicación"] = "", ["Marca"] = "Bosch" },
            new() { ["No. de Parte"] = "NO-EXISTE-999", ["Precio"] = 10, ["Existencias"] = 1, ["Ubicación"] = "Pasillo 1", ["Marca"] = "" },
        };
        using var stream = new MemoryStream();
        stream.SaveAs(rows, sheetName: "Inventario");
        return stream.ToArray();
    }
}
