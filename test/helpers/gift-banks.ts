/** A bank with every feature the importer supports, and the characters GIFT escapes. */
export const EVERY_FEATURE = `// A comment before the first question.
::Única\\: con dos puntos:: ¿Qué entidad produce la DIVIPOLA? (código \\{05\\} \\= Antioquia) {
  =El DANE#Correcto\\: es la entidad de estadística.
  ~El ICBF#No\\: protege a la niñez.
  ~La Registraduría
  ####La DIVIPOLA es la codificación oficial del DANE.
}

::Varias:: ¿Cuáles son mecanismos de participación? {~%50%El cabildo abierto#Sí ~%50%La consulta popular ~%-100%El decreto#No ~%0%La circular}

::Pesos decimales:: Elija las dos correctas {~%33.33333%una ~%66.66667%otra ~%-50%ninguna}

::VF verdadero:: La DIVIPOLA asigna un código a cada municipio. {TRUE#No, sí lo asigna.#Así es.####Cada municipio tiene cinco dígitos.}

::VF falso:: Colombia tiene 40 departamentos. {F}

::VF solo si falso:: Bogotá es un distrito capital. {T##Bogotá es Distrito Capital.}

::Corta:: ¿Qué sigla tiene el Departamento Administrativo Nacional de Estadística? {=DANE =el DANE#Con artículo también vale. =%50%Dane estadística ####Departamento Administrativo Nacional de Estadística.}

¿Una pregunta sin título, con acentos y eñes\\: año de la Constitución? {#1991}

::Tolerancia:: ¿Cuántos departamentos tiene Colombia? {#32:1}

::Rango:: Un número entre 10 y 20 {#10..20}

::Negativo:: Temperatura bajo cero {#-5..-1}

::Decimal:: Pi con dos decimales {#3.14:0.01}

::Varios intervalos:: Año de la Ley 1098 {#=2006:0#Exacto. =%50%2005..2007#Cerca. ####Código de la Infancia y la Adolescencia.}

::Parejas:: Empareje cada código con su departamento. {=05 -> Antioquia =11 -> Bogotá D.C. =76 -> Valle del Cauca =27 -> Chocó}

::Parejas repetidas:: Empareje la ley con su tema. {=Ley 1757 -> Participación\\: mecanismos =Ley 850 -> Veedurías =Ley 134 -> Participación\\: mecanismos ####Dos leyes tratan de participación.}
`;
