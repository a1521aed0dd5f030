namespace Nexus.Core.DataSets;

/// <summary>A brand and the shapes of its part numbers: '#' a digit, '@' an upper-case letter, anything else literal.</summary>
public sealed record BrandNumbering(string Name, string[] Patterns, string? VehicleMake = null);

public sealed record VehicleModel(string Make, string Model, int FirstYear, int LastYear, string[] Engines);

/// <summary>A part name; "{pos}"/"{side}" (and the feminine "{posa}"/"{sidea}") expand to positions, so one name gives several catalog lines.</summary>
public sealed record PartName(string Category, string Pattern);

/// <summary>The real-looking words the generator draws from: Mexican market brands, Spanish categories and part names.</summary>
public static class CatalogVocabulary
{
    /// <summary>
    /// Brands whose parts are the OEM catalog. A VehicleMake brand only fits its own make's vehicles.
    /// Each pattern spans far more numbers than the full set draws from it, so unique numbers come quickly.
    /// </summary>
    public static readonly BrandNumbering[] OemBrands =
    [
        new("BOSCH", ["0 986 @@# ###", "0986@@####", "0 258 ### ###", "F 026 ### ###"]),
        new("ACDelco", ["19######", "41-####@", "PF####@"]),
        new("Motorcraft", ["FL-####-@", "BRF-#####", "DG-####-@", "SP-####@"]),
        new("NGK", ["@@@#@-##", "#####@"]),
        new("Denso", ["234-#####", "@@##@##", "###-####"]),
        new("Gates", ["K0#####", "#####", "T####@"]),
        new("Hella-Behr", ["8MK 376 ###-###", "8FK 351 ###-###"]),
        new("MEAT-DORIA", ["#####", "#####@"]),
        new("Moog", ["K#####", "ES#####@"]),
        new("Monroe", ["@####@", "E#####"]),
        new("Fram", ["PH####@", "CA#####", "CF#####"]),
        new("LUK", ["### #### ##"]),
        new("SKF", ["VKBA #####", "VKMA ######"]),
        new("Valeo", ["######"]),
        new("Nissan", ["#####-#@@#@", "#####-@@###"], VehicleMake: "Nissan"),
        new("Volkswagen", ["#@# ### ### @", "#@# ### ###"], VehicleMake: "Volkswagen"),
        new("Toyota", ["#####-#####"], VehicleMake: "Toyota"),
        new("Ford", ["@@#@-####-@@"], VehicleMake: "Ford"),
        new("Chevrolet", ["########"], VehicleMake: "Chevrolet"),
    ];

    /// <summary>
    /// Suppliers of the legacy AFT- rows. Several article numbers contain '-', and so do some supplier names,
    /// which is what makes `AFT-{articleNo}-{supplier}` hard to split. "Behr" exists beside "Hella-Behr" on purpose.
    /// </summary>
    public static readonly BrandNumbering[] AftermarketSuppliers =
    [
        new("PARTQUIP", ["AC###", "@@####"]),
        new("Airstal", ["##-####"]),
        new("KAWE", ["#### ##", "######"]),
        new("MEAT-DORIA", ["##-####", "#####"]),
        new("Hella-Behr", ["@@-###", "8MK ###"]),
        new("Behr", ["@@ ### ###"]),
        new("Metelli", ["##-####"]),
        new("TRISCAN", ["#### ####"]),
        new("Japko", ["##@##"]),
        new("Blue Print", ["ADN#####", "ADT#####"]),
        new("Kager", ["##-####"]),
    ];

    /// <summary>Suppliers that appear in AFT- numbers but in no manufacturers row.</summary>
    public static readonly string[] UnknownSuppliers = ["Proveedor Local", "SIN-MARCA"];

    public static readonly string[] Categories =
    [
        "Frenos", "Suspensión", "Dirección", "Filtros", "Motor", "Eléctrico", "Enfriamiento",
        "Transmisión", "Encendido", "Escape", "Iluminación", "Climatización", "Carrocería",
    ];

    public static readonly PartName[] PartNames =
    [
        new("Frenos", "Balata {posa}"), new("Frenos", "Juego de balatas {pos}"), new("Frenos", "Balata cerámica {posa}"),
        new("Frenos", "Disco de freno {pos}"), new("Frenos", "Tambor de freno trasero"), new("Frenos", "Caliper {pos} {side}"),
        new("Frenos", "Cilindro maestro"), new("Frenos", "Manguera de freno {posa} {sidea}"), new("Frenos", "Zapata de freno trasera"),
        new("Frenos", "Sensor ABS {pos} {side}"), new("Frenos", "Cable de freno de mano"),
        new("Suspensión", "Amortiguador {pos}"), new("Suspensión", "Brazo de suspensión {pos} {side}"), new("Suspensión", "Rótula inferior {sidea}"),
        new("Suspensión", "Rótula superior {sidea}"), new("Suspensión", "Horquilla {posa} {sidea}"), new("Suspensión", "Buje de horquilla {pos}"),
        new("Suspensión", "Resorte de suspensión {pos}"), new("Suspensión", "Base de amortiguador {posa}"), new("Suspensión", "Tornillo estabilizador {pos}"),
        new("Suspensión", "Barra estabilizadora {posa}"), new("Suspensión", "Kit de suspensión {pos}"),
        new("Dirección", "Terminal de dirección {side}"), new("Dirección", "Bieleta de dirección {sidea}"), new("Dirección", "Cremallera de dirección"),
        new("Dirección", "Bomba de dirección hidráulica"), new("Dirección", "Guardapolvo de cremallera"), new("Dirección", "Depósito de dirección hidráulica"),
        new("Filtros", "Filtro de aceite"), new("Filtros", "Filtro de aire"), new("Filtros", "Filtro de gasolina"),
        new("Filtros", "Filtro de cabina"), new("Filtros", "Filtro de transmisión automática"),
        new("Motor", "Bomba de aceite"), new("Motor", "Junta de cabeza"), new("Motor", "Kit de distribución"), new("Motor", "Banda de distribución"),
        new("Motor", "Tensor de banda"), new("Motor", "Polea loca"), new("Motor", "Soporte de motor {pos} {side}"), new("Motor", "Empaque de tapa de punterías"),
        new("Motor", "Sello de cigüeñal {pos}"), new("Motor", "Juego de anillos"), new("Motor", "Válvula PCV"), new("Motor", "Cuerpo de aceleración"),
        new("Eléctrico", "Alternador"), new("Eléctrico", "Marcha"), new("Eléctrico", "Sensor de oxígeno {pos}"), new("Eléctrico", "Sensor de posición del cigüeñal"),
        new("Eléctrico", "Sensor de posición del árbol de levas"), new("Eléctrico", "Sensor MAF"), new("Eléctrico", "Bomba de gasolina eléctrica"),
        new("Eléctrico", "Interruptor de luces de freno"), new("Eléctrico", "Regulador de voltaje"), new("Eléctrico", "Motor de limpiaparabrisas {pos}"),
        new("Enfriamiento", "Bomba de agua"), new("Enfriamiento", "Termostato"), new("Enfriamiento", "Radiador"), new("Enfriamiento", "Ventilador de radiador"),
        new("Enfriamiento", "Manguera superior de radiador"), new("Enfriamiento", "Manguera inferior de radiador"), new("Enfriamiento", "Depósito de anticongelante"),
        new("Enfriamiento", "Tapón de radiador"), new("Enfriamiento", "Sensor de temperatura"),
        new("Transmisión", "Kit de clutch"), new("Transmisión", "Collarín"), new("Transmisión", "Soporte de transmisión"), new("Transmisión", "Flecha homocinética {posa} {sidea}"),
        new("Transmisión", "Junta homocinética {posa} {sidea}"), new("Transmisión", "Cilindro esclavo de clutch"), new("Transmisión", "Volante bimasa"),
        new("Encendido", "Bujía"), new("Encendido", "Juego de bujías"), new("Encendido", "Bobina de encendido"), new("Encendido", "Cables de bujía"),
        new("Encendido", "Tapa de distribuidor"),
        new("Escape", "Sensor de oxígeno posterior"), new("Escape", "Convertidor catalítico"), new("Escape", "Silenciador"), new("Escape", "Empaque de múltiple de escape"),
        new("Iluminación", "Faro {side}"), new("Iluminación", "Calavera {sidea}"), new("Iluminación", "Foco de halógeno H4"), new("Iluminación", "Faro de niebla {side}"),
        new("Climatización", "Compresor de aire acondicionado"), new("Climatización", "Condensador de A/C"), new("Climatización", "Motor de ventilador de calefacción"),
        new("Climatización", "Válvula de expansión"),
        new("Carrocería", "Espejo lateral {side}"), new("Carrocería", "Manija de puerta {posa} {sidea}"), new("Carrocería", "Elevador de ventana {pos} {side}"),
        new("Carrocería", "Amortiguador de cajuela"),
    ];

    public static readonly (string Placeholder, string[] Words)[] Placeholders =
    [
        ("{posa}", ["delantera", "trasera"]),
        ("{sidea}", ["izquierda", "derecha"]),
        ("{pos}", ["delantero", "trasero"]),
        ("{side}", ["izquierdo", "derecho"]),
    ];

    public static readonly VehicleModel[] Vehicles =
    [
        new("Nissan", "Tsuru", 1992, 2017, ["1.6L L4"]),
        new("Nissan", "Versa", 2012, 2024, ["1.6L L4"]),
        new("Nissan", "Sentra", 2000, 2024, ["1.8L L4", "2.0L L4"]),
        new("Nissan", "March", 2012, 2024, ["1.6L L4"]),
        new("Nissan", "NP300", 2008, 2024, ["2.4L L4", "2.5L L4 Diésel"]),
        new("Nissan", "Tiida", 2007, 2018, ["1.8L L4"]),
        new("Volkswagen", "Jetta", 1999, 2024, ["2.0L L4", "2.5L L5", "1.4L L4 Turbo"]),
        new("Volkswagen", "Vento", 2014, 2023, ["1.6L L4"]),
        new("Volkswagen", "Pointer", 1998, 2009, ["1.8L L4"]),
        new("Volkswagen", "Golf", 2000, 2020, ["2.0L L4", "1.4L L4 Turbo"]),
        new("Volkswagen", "Sedán", 1990, 2003, ["1.6L B4"]),
        new("Chevrolet", "Aveo", 2008, 2024, ["1.6L L4", "1.5L L4"]),
        new("Chevrolet", "Chevy", 1994, 2012, ["1.4L L4", "1.6L L4"]),
        new("Chevrolet", "Spark", 2011, 2022, ["1.2L L4"]),
        new("Chevrolet", "Silverado", 2000, 2024, ["5.3L V8", "4.3L V6"]),
        new("Chevrolet", "Malibu", 2004, 2020, ["2.4L L4"]),
        new("Ford", "Fiesta", 2011, 2019, ["1.6L L4"]),
        new("Ford", "Focus", 2000, 2018, ["2.0L L4"]),
        new("Ford", "Ranger", 2000, 2012, ["2.3L L4"]),
        new("Ford", "Lobo", 2000, 2024, ["5.0L V8", "3.5L V6 EcoBoost"]),
        new("Ford", "Escape", 2008, 2022, ["2.5L L4"]),
        new("Toyota", "Corolla", 2000, 2024, ["1.8L L4"]),
        new("Toyota", "Hilux", 2005, 2024, ["2.7L L4"]),
        new("Toyota", "Yaris", 2006, 2024, ["1.5L L4"]),
        new("Toyota", "Camry", 2002, 2024, ["2.5L L4", "3.5L V6"]),
        new("Honda", "Civic", 2001, 2024, ["1.8L L4", "2.0L L4"]),
        new("Honda", "CR-V", 2002, 2024, ["2.4L L4"]),
        new("Mazda", "Mazda 3", 2010, 2024, ["2.0L L4", "2.5L L4"]),
        new("Kia", "Rio", 2018, 2024, ["1.6L L4"]),
        new("Dodge", "Attitude", 2006, 2024, ["1.4L L4", "1.2L L3"]),
    ];
}
