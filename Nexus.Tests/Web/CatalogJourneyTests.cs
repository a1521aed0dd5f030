using System.Text.RegularExpressions;
using Dapper;
using Microsoft.Playwright;
using Nexus.Core.Auth;
using Nexus.Core.DataSets;
using Nexus.Tests.Infrastructure;
using static Microsoft.Playwright.Assertions;

namespace Nexus.Tests.Web;

/// <summary>The public catalog in a real browser: a visitor sees parts but no prices; a taller sees the bodegas' offers.</summary>
[Collection(WebCollection.Name)]
public sealed class CatalogJourneyTests(BrowserFixture browser)
{
    [Theory]
    [InlineData("desktop")]
    [InlineData("phone")]
    public async Task A_visitor_searches_by_a_cross_reference_and_sees_the_part_and_alternatives_but_no_prices(string device)
    {
        await using var visitor = await browser.NewSessionAsync(device == "phone" ? BrowserFixture.Phone : BrowserFixture.Desktop);
        var page = visitor.Page;
        await page.GotoAsync("/");
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Catálogo de refacciones" })).ToBeVisibleAsync();
        await Expect(page.GetByRole(AriaRole.Link, new() { Name = "Iniciar sesión" }).First).ToBeVisibleAsync();
        await visitor.ScreenshotAsync($"catalogo-inicio-{device}");

        await page.GetByLabel("Número de parte o nombre").FillAsync("AC191");
        await page.GetByLabel("Número de parte o nombre").PressAsync("Enter");
        var result = page.GetByRole(AriaRole.Link).Filter(new() { HasText = "41060-1KA0A" });
        await Expect(result).ToBeVisibleAsync();
        await visitor.ScreenshotAsync($"catalogo-resultados-{device}");

        await result.ClickAsync();
        await Expect(page.Locator("#part-title")).ToContainTextAsync("Juego de balatas delantero");
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Compatibilidad" })).ToBeVisibleAsync();
        await Expect(page.Locator("main")).ToContainTextAsync("Versa");
        var alternative = page.Locator(".alternatives li").Filter(new() { HasText = "6497 10" });
        await Expect(alternative).ToContainTextAsync("KAWE");
        await Expect(alternative.GetByRole(AriaRole.Link, new() { Name = "Ver disponibilidad de KAWE 6497 10" })).ToHaveAttributeAsync("href", new Regex("^login\\.html\\?next="));
        var availability = page.Locator("#disponibilidad");
        await Expect(availability).ToContainTextAsync("solo para talleres registrados");
        await Expect(availability.GetByRole(AriaRole.Link, new() { Name = "Inicia sesión para ver precios" })).ToBeVisibleAsync();
        await Expect(availability.Locator("table")).ToHaveCountAsync(0);
        Assert.DoesNotMatch(@"\$\s?\d", await page.Locator("main").InnerTextAsync());
        await visitor.ScreenshotAsync($"pieza-visitante-{device}");
        Assert.Empty(visitor.ScriptErrors);
    }

    [Fact]
    public async Task A_visitor_browses_by_make_model_and_year()
    {
        await using var visitor = await browser.NewSessionAsync();
        var page = visitor.Page;
        await page.GotoAsync("/");

        await page.GetByText("Filtrar por vehículo y categoría").ClickAsync();
        await page.GetByLabel("Marca").SelectOptionAsync("Nissan");
        await Expect(page.GetByLabel("Modelo")).ToBeEnabledAsync();
        await page.GetByLabel("Modelo").SelectOptionAsync("Versa");
        await Expect(page.GetByLabel("Año")).ToBeEnabledAsync();
        await page.GetByLabel("Año").SelectOptionAsync("2016");
        await page.GetByRole(AriaRole.Button, new() { Name = "Ver piezas de este vehículo" }).ClickAsync();

        await Expect(page.GetByRole(AriaRole.Link).Filter(new() { HasText = "41060-1KA0A" })).ToBeVisibleAsync();
        StringAssert(page.Url, "brand=Nissan", "model=Versa", "year=2016");
        await visitor.ScreenshotAsync("catalogo-vehiculo-desktop");

        await page.GetByLabel("Número de parte o nombre").FillAsync("zz");
        await page.GetByRole(AriaRole.Button, new() { Name = "Buscar", Exact = true }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Alert)).ToContainTextAsync("No se pudo buscar");
        await Expect(page.Locator("#view")).ToContainTextAsync("al menos 3");
        Assert.Empty(visitor.ScriptErrors);
    }

    [Theory]
    [InlineData("desktop")]
    [InlineData("phone")]
    public async Task A_taller_logs_in_and_sees_the_bodegas_price_stock_freshness_and_the_aftermarket_offers(string device)
    {
        var bodega = await browser.App.CreateUserAsync(Roles.Bodega, email: $"bodega-{device}-{Guid.NewGuid():N}@test.mx");
        var taller = await browser.App.CreateUserAsync(Roles.Taller);
        await StockAsync(bodega.Id, device);

        await using var session = await browser.NewSessionAsync(device == "phone" ? BrowserFixture.Phone : BrowserFixture.Desktop);
        var page = session.Page;
        await page.GotoAsync("/login.html");
        await page.GetByLabel("Correo electrónico").First.FillAsync(taller.Email);
        await page.GetByLabel("Contraseña").First.FillAsync(TestUsers.Password);
        await page.GetByRole(AriaRole.Button, new() { Name = "Entrar" }).ClickAsync();

        await Expect(page).ToHaveURLAsync(new Regex("/index\\.html$"));
        await Expect(page.GetByRole(AriaRole.Button, new() { Name = "Cerrar sesión" })).ToBeVisibleAsync();
        await Expect(page.Locator(".role-tag")).ToHaveTextAsync("Taller");
        await page.GetByLabel("Número de parte o nombre").FillAsync("41060 1KA0A");
        await page.GetByLabel("Número de parte o nombre").PressAsync("Enter");
        await page.GetByRole(AriaRole.Link).Filter(new() { HasText = "41060-1KA0A" }).ClickAsync();

        var availability = page.Locator("#disponibilidad");
        var offer = availability.Locator("tr:not([data-aftermarket])").Filter(new() { HasText = $"Bodega {device}" });
        await Expect(offer).ToContainTextAsync("$450.00");
        await Expect(offer).ToContainTextAsync("Pasillo 3");
        await Expect(offer).ToContainTextAsync("hace 2 horas");
        var aftermarketOffer = availability.Locator("tr[data-aftermarket]").Filter(new() { HasText = $"Bodega {device}" });
        await Expect(aftermarketOffer).ToContainTextAsync("KAWE");
        await Expect(aftermarketOffer).ToContainTextAsync("$1,280.50");
        var alternative = page.Locator(".alternatives li").Filter(new() { HasText = "6497 10" });
        await Expect(alternative).ToContainTextAsync("En existencia");
        await alternative.GetByRole(AriaRole.Button, new() { Name = "Ver disponibilidad de KAWE 6497 10" }).ClickAsync();
        await Expect(availability.Locator("tr.highlight").First).ToBeFocusedAsync();
        await session.ScreenshotAsync($"pieza-taller-{device}");

        // A new tab has no access token of its own: the HttpOnly cookie restores the session without a login.
        var secondTab = await session.NewPageAsync();
        await secondTab.GotoAsync("/index.html");
        await Expect(secondTab.GetByRole(AriaRole.Button, new() { Name = "Cerrar sesión" })).ToBeVisibleAsync();
        var cookie = Assert.Single(await session.Context.CookiesAsync(), c => c.Name == "nexus_refresh");
        Assert.True(cookie.HttpOnly);
        Assert.Equal(SameSiteAttribute.Strict, cookie.SameSite);
        Assert.Equal("/api/auth", cookie.Path);
        Assert.Equal("null", await secondTab.EvaluateAsync<string>("() => String(document.cookie.match(/nexus_refresh/))"));

        await secondTab.GetByRole(AriaRole.Button, new() { Name = "Cerrar sesión" }).ClickAsync();
        await Expect(secondTab.Locator("#site-header").GetByRole(AriaRole.Link, new() { Name = "Iniciar sesión" })).ToBeVisibleAsync();
        Assert.DoesNotContain(await session.Context.CookiesAsync(), c => c.Name == "nexus_refresh");
        Assert.Empty(session.ScriptErrors);
    }

    [Fact]
    public async Task A_wrong_password_is_explained_in_spanish()
    {
        var taller = await browser.App.CreateUserAsync(Roles.Taller);
        await using var session = await browser.NewSessionAsync();
        var page = session.Page;
        await page.GotoAsync("/login.html");

        await page.GetByRole(AriaRole.Button, new() { Name = "Entrar" }).ClickAsync();
        await Expect(page.Locator("#login-email-error")).ToHaveTextAsync("Este dato es obligatorio.");

        await page.GetByLabel("Correo electrónico").First.FillAsync(taller.Email);
        await page.GetByLabel("Contraseña").First.FillAsync("not-the-password");
        await page.GetByRole(AriaRole.Button, new() { Name = "Entrar" }).ClickAsync();

        await Expect(page.GetByRole(AriaRole.Alert)).ToContainTextAsync("Correo o contraseña incorrectos");
        await Expect(page.GetByRole(AriaRole.Alert)).ToContainTextAsync("pendiente de aprobación");
        await Expect(page.GetByLabel("Contraseña").First).ToBeFocusedAsync();
        await session.ScreenshotAsync("login-error-desktop");
        Assert.Empty(session.ScriptErrors);
    }

    /// <summary>The bodega's stock of the Nissan pads (OEM) and of their KAWE alternative, updated two hours ago.</summary>
    private async Task StockAsync(int bodegaId, string device)
    {
        const string sql = """
            UPDATE users SET business_name = @businessName WHERE id_user = @bodegaId;
            INSERT INTO warehouse_inventory (user_id, part_id, price, stock_quantity, min_order_quantity, warehouse_location, updated_at)
            VALUES (@bodegaId, @partId, 450.00, 12, 2, 'Pasillo 3', now() - interval '2 hours 5 minutes');
            INSERT INTO warehouse_inventory (user_id, aftermarket_part_id, price, stock_quantity, warehouse_location, updated_at)
            SELECT @bodegaId, id_aftermarket_parts, 1280.50, 4, 'Pasillo 9', now() - interval '30 minutes'
            FROM aftermarket_parts WHERE part_number = @aftermarketNumber;
            """;
        await using var connection = await browser.Database.DataSource.OpenConnectionAsync();
        await connection.ExecuteAsync(sql, new
        {
            bodegaId,
            businessName = $"Bodega {device} {bodegaId}",
            partId = DataSetLandmarks.NissanPadsId,
            aftermarketNumber = DataSetLandmarks.ExistingAftermarketPart.PartNumber,
        });
    }

    private static void StringAssert(string url, params string[] parts)
    {
        var decoded = Uri.UnescapeDataString(url);
        foreach (var part in parts)
        {
            Assert.Contains(part, decoded);
        }
    }
}
