using System.Text;

namespace Nexus.Core.DataSets;

/// <summary>Builds every row of a data set from its shape and seed alone: the same shape always gives the same rows.</summary>
public sealed class CatalogRowsBuilder
{
    private readonly DataSetShape _shape;
    private readonly SeededRandom _random;
    private readonly CatalogRows _rows = new();
    private readonly HashSet<string> _usedNumbers = new(StringComparer.Ordinal);
    private readonly Dictionary<string, int> _manufacturerIds = new(StringComparer.OrdinalIgnoreCase);
    private readonly Dictionary<string, int> _categoryIds = new(StringComparer.Ordinal);
    private readonly Dictionary<(string Make, string Model, string Engine), int> _firstVehicleIds = [];
    private readonly Dictionary<string, VehicleModel[]> _modelsByMake;
    private readonly StringBuilder _text = new();

    private CatalogRowsBuilder(DataSetShape shape)
    {
        _shape = shape;
        _random = new SeededRandom(shape.Seed);
        _modelsByMake = CatalogVocabulary.Vehicles.GroupBy(v => v.Make).ToDictionary(g => g.Key, g => g.ToArray());
    }

    public static CatalogRows Build(DataSetShape shape)
    {
        var builder = new CatalogRowsBuilder(shape);
        builder.AddReferenceRows();
        builder.AddLandmarks();
        builder.AddOemParts();
        builder.AddAftParts();
        return builder._rows;
    }

    private void AddReferenceRows()
    {
        var names = CatalogVocabulary.OemBrands.Select(b => b.Name)
            .Concat(CatalogVocabulary.AftermarketSuppliers.Select(s => s.Name))
            .Distinct(StringComparer.OrdinalIgnoreCase);
        foreach (var name in names)
        {
            var row = new ManufacturerRow(_rows.Manufacturers.Count + 1, name);
            _rows.Manufacturers.Add(row);
            _manufacturerIds[name] = row.Id;
        }
        foreach (var name in CatalogVocabulary.Categories)
        {
            var row = new CategoryRow(_rows.Categories.Count + 1, name);
            _rows.Categories.Add(row);
            _categoryIds[name] = row.Id;
        }
        foreach (var model in CatalogVocabulary.Vehicles)
        {
            foreach (var engine in model.Engines)
            {
                _firstVehicleIds[(model.Make, model.Model, engine)] = _rows.Vehicles.Count + 1;
                for (var year = model.FirstYear; year <= model.LastYear; year++)
                {
                    _rows.Vehicles.Add(new VehicleRow(_rows.Vehicles.Count + 1, model.Make, model.Model, (short)year, engine));
                }
            }
        }
    }

    private void AddLandmarks()
    {
        foreach (var p in DataSetLandmarks.OemParts)
        {
            var model = CatalogVocabulary.Vehicles.Single(v => v.Make == p.Make && v.Model == p.Model);
            _usedNumbers.Add(Normalize(p.Number));
            _rows.Parts.Add(new PartRow(p.Id, p.Number, p.Name, Describe(p.Name, p.Manufacturer, model, p.FirstYear, p.LastYear, p.Engine),
                _categoryIds[p.Category], _manufacturerIds[p.Manufacturer],
                VehicleId(model, p.Engine, p.FirstYear), p.LastYear - p.FirstYear + 1));
        }
        var existing = DataSetLandmarks.ExistingAftermarketPart;
        _rows.AftermarketParts.Add(new AftermarketRow(1, existing.OemPartId, _manufacturerIds[existing.Manufacturer], existing.PartNumber, existing.Name));
    }

    private void AddOemParts()
    {
        var brands = CatalogVocabulary.OemBrands;
        for (var i = _rows.Parts.Count; i < _shape.OemParts; i++)
        {
            var brand = _random.Pick(brands);
            var model = _random.Pick(brand.VehicleMake is { } make ? _modelsByMake[make] : CatalogVocabulary.Vehicles);
            var engine = _random.Pick(model.Engines);
            var firstYear = _random.Next(model.FirstYear, model.LastYear + 1);
            var lastYear = Math.Min(model.LastYear, firstYear + YearSpan() - 1);
            var partName = _random.Pick(CatalogVocabulary.PartNames);
            var name = ExpandName(partName.Pattern);
            var id = _rows.Parts.Count + 1;

            _rows.Parts.Add(new PartRow(id, UniqueNumber(brand), name, Describe(name, brand.Name, model, firstYear, lastYear, engine),
                _categoryIds[partName.Category], _manufacturerIds[brand.Name],
                VehicleId(model, engine, firstYear), lastYear - firstYear + 1));

            if (_random.Chance(_shape.OemInterchange))
            {
                // Only brands that supply no AFT- rows, so (number, source) always names the AFT part's OEM part alone.
                var other = _random.Pick(brands);
                if (other.VehicleMake is null && other != brand && !IsAftermarketSupplier(other.Name))
                {
                    AddCrossReference(id, NumberFrom(_random.Pick(other.Patterns)), other.Name);
                }
            }
        }
    }

    private void AddAftParts()
    {
        var oemCount = _rows.Parts.Count;
        foreach (var aft in DataSetLandmarks.AftParts)
        {
            var oem = _rows.Parts[aft.OemPartId - 1];
            AddAftPart(aft.Article, aft.Supplier, oem, aft.SharesVehicles ? Math.Min(2, oem.VehicleCount) : 0, aft.CrossReferenced);
        }

        var suppliers = CatalogVocabulary.AftermarketSuppliers;
        for (var i = DataSetLandmarks.AftParts.Length; i < _shape.AftParts; i++)
        {
            var oem = _rows.Parts[_random.Next(oemCount)];
            var supplier = _random.Pick(suppliers);
            var article = NumberFrom(_random.Pick(supplier.Patterns));
            var written = _random.Chance(0.05) ? ChangeCase(supplier.Name) : supplier.Name;
            var sharedVehicles = Math.Min(oem.VehicleCount, 1 + _random.Next(2));

            var roll = _random.NextDouble();
            if (roll < _shape.AftUnknownSupplier)
            {
                AddAftPart(article, _random.Pick(CatalogVocabulary.UnknownSuppliers), oem, sharedVehicles, crossReferenced: false);
            }
            else if (roll < _shape.AftUnknownSupplier + _shape.AftUnresolvable)
            {
                AddAftPart(article, written, oem, vehicleCount: 0, crossReferenced: false);
            }
            else
            {
                var crossReferenced = roll < _shape.AftUnknownSupplier + _shape.AftUnresolvable + _shape.AftCrossReferenced;
                AddAftPart(article, written, oem, sharedVehicles, crossReferenced);
            }
        }
    }

    /// <summary>An AFT- copy of an OEM part: same name and category, some of its vehicles, no manufacturer (only in the number).</summary>
    private void AddAftPart(string article, string supplier, PartRow oem, int vehicleCount, bool crossReferenced)
    {
        var number = DataSetLandmarks.AftNumber(article, supplier);
        while (!_usedNumbers.Add(number))
        {
            // Same article from the same supplier twice: vary the article, as a supplier's catalog would.
            article += _random.Next(10).ToString(System.Globalization.CultureInfo.InvariantCulture);
            number = DataSetLandmarks.AftNumber(article, supplier);
        }
        var id = _rows.Parts.Count + 1;
        _rows.Parts.Add(new PartRow(id, number, oem.Name, $"Aftermarket {supplier}", oem.CategoryId, null, oem.FirstVehicleId, vehicleCount));
        if (crossReferenced)
        {
            AddCrossReference(oem.Id, article, supplier);
        }
    }

    private void AddCrossReference(int partId, string number, string source) =>
        _rows.CrossReferences.Add(new CrossReferenceRow(_rows.CrossReferences.Count + 1, partId, number, source));

    private static bool IsAftermarketSupplier(string name) =>
        CatalogVocabulary.AftermarketSuppliers.Any(s => string.Equals(s.Name, name, StringComparison.OrdinalIgnoreCase));

    private int YearSpan()
    {
        // 10% one year, 35% two, 30% three, 25% four: about 3M vehicle_parts rows in the full set.
        var roll = _random.Next(20);
        return roll < 2 ? 1 : roll < 9 ? 2 : roll < 15 ? 3 : 4;
    }

    private int VehicleId(VehicleModel model, string engine, int year) =>
        _firstVehicleIds[(model.Make, model.Model, engine)] + (year - model.FirstYear);

    private string UniqueNumber(BrandNumbering brand)
    {
        for (var attempt = 0; attempt < 1_000; attempt++)
        {
            var number = NumberFrom(_random.Pick(brand.Patterns));
            if (_usedNumbers.Add(Normalize(number)))
            {
                return number;
            }
        }
        throw new InvalidOperationException($"The part number patterns of {brand.Name} are exhausted; widen them in CatalogVocabulary.");
    }

    private string NumberFrom(string pattern)
    {
        _text.Clear();
        foreach (var c in pattern)
        {
            _text.Append(c switch
            {
                '#' => (char)('0' + _random.Next(10)),
                '@' => (char)('A' + _random.Next(26)),
                _ => c,
            });
        }
        return _text.ToString();
    }

    private string ExpandName(string pattern)
    {
        var name = pattern;
        foreach (var (placeholder, words) in CatalogVocabulary.Placeholders)
        {
            if (name.Contains(placeholder, StringComparison.Ordinal))
            {
                name = name.Replace(placeholder, _random.Pick(words), StringComparison.Ordinal);
            }
        }
        return name;
    }

    private string ChangeCase(string name) =>
        name == name.ToUpperInvariant() ? name.ToLowerInvariant() : name.ToUpperInvariant();

    private static string Describe(string name, string brand, VehicleModel model, int firstYear, int lastYear, string engine) =>
        firstYear == lastYear
            ? $"{name} {brand} para {model.Make} {model.Model} {firstYear} {engine}"
            : $"{name} {brand} para {model.Make} {model.Model} {firstYear}-{lastYear} {engine}";

    /// <summary>The C# twin of the SQL normalize_part_number(), used only to keep generated numbers unique.</summary>
    private static string Normalize(string number)
    {
        var sb = new StringBuilder(number.Length);
        foreach (var c in number)
        {
            if (!char.IsWhiteSpace(c) && c is not ('-' or '.' or '/'))
            {
                sb.Append(char.ToUpperInvariant(c));
            }
        }
        return sb.ToString();
    }
}
