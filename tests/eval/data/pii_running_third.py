"""Third hand-written family of names and addresses in running text, written on 2026-12-08 AFTER
that day's name and address rule changes and scored once, unchanged afterwards: the rules never saw
it (the first family was used to write them, the second was looked at in an earlier session). Names
and streets chosen by hand, not from Faker's or faker-js's lists on purpose (some may still be in
them); sentences in the shapes of support messages, tickets, CRM notes and e-mails, some without any
cue word. The benign lines are tool-output look-alikes (capitalised products, places, teams, works).
Still written by the author of the rules, so less independent than third-party text.
Run: python3 tests/eval/data/pii_running_third.py > tests/eval/data/pii_running_third.jsonl
"""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from running_emit import emit  # noqa: E402

PERSON = [
    ("en", "Could you update the emergency contact to Wairimu Njoroge?"),
    ("en", "Yesterday Bartholomew Achterberg phoned about the late delivery."),
    ("en", "Please send the contract to Ngozi Eze-Uchenna for signature."),
    ("en", "the tenant, ravi subramaniam, wants the lease renewed"),
    ("en", "Approved. Forwarding this to Eleftheria Papadaki in finance."),
    ("en", "Hi team, Kaito Fujimura will cover my shifts next week."),
    ("en", "Customer Fernanda Albuquerque reports a double charge."),
    ("en", "Please remove Lachlan Fitzgerald from the mailing list."),
    ("en", "We received a complaint from Mirela Dragomir about noise."),
    ("en", "Note: patient Hamid Rezaei missed his appointment."),
    ("en", "I'm Oksana Melnyk and I'd like to close my account."),
    ("en", "The package was signed for by Gustavo Ibarra."),
    ("es", "Por favor, cambie el titular de la cuenta a Lucía Etxeberria."),
    ("es", "Mañana viene Joaquín Sepúlveda a revisar la caldera."),
    ("fr", "Le rendez-vous de Gwenaëlle Le Goff est déplacé à jeudi."),
    ("fr", "Merci de contacter Baptiste Lefebvre pour la livraison."),
    ("de", "Der Vertrag wurde von Ottokar Brinkhaus unterschrieben."),
    ("de", "Bitte schicken Sie die Rechnung an Swantje Petersen."),
    ("it", "La pratica è intestata a Ludovica Santangelo."),
    ("it", "Ha chiamato Gianmarco Pellegrini per il preventivo."),
    ("pt", "O cliente Thiago Nascimento pediu o reembolso."),
    ("pt", "Por favor, envie a fatura para Graça Figueiredo."),
    ("nl", "Graag de rekening op naam van Maarten Verhoeven zetten."),
    ("sv", "Kan du lägga till Ingrid Sandberg i projektet?"),
    ("pl", "Proszę przepisać umowę na Grzegorz Kowalczyk."),
    ("cs", "Objednávku převzal Radek Novotný."),
    ("hr", "Molim promijenite vlasnika računa na Ivana Babić."),
    ("ro", "Vă rog trimiteți factura către Ioana Constantinescu."),
    ("tr", "Siparişi Elif Şahin teslim aldı."),
    ("fi", "Laskun maksaja on Aino Virtanen."),
    ("ru", "Пожалуйста, переоформите договор на Людмилу Соколову."),
    ("uk", "Замовлення отримав Тарас Шевчук."),
    ("el", "Παρακαλώ αλλάξτε τον δικαιούχο σε Γιώργο Αντωνίου."),
    ("zh", "请把收件人改成陈志强。"),
    ("ja", "担当は佐々木美咲さんです。"),
    ("ko", "예약자 이름을 박서연 님으로 바꿔 주세요."),
    ("ar", "يرجى تحويل الحساب باسم خالد العتيبي."),
    ("hi", "कृपया खाता राहुल वर्मा के नाम पर करें।"),
    ("vi", "Người nhận là Lê Văn Hùng."),
    ("en", "my colleague joanna kowalska sent the files"),
]

ADDRESS = [
    ("en", "Please deliver to 47 Larkspur Crescent, Leeds LS6 2RT."),
    ("en", "new address: 1180 Alder Creek Road, Boise"),
    ("en", "I moved to Flat 3, 22 Montague Terrace, Brighton."),
    ("es", "Envíelo a la Avenida de la Constitución 14, Sevilla."),
    ("fr", "Ma nouvelle adresse est 9 impasse des Lilas, 31000 Toulouse."),
    ("de", "Bitte liefern Sie an Lindenweg 12, 79098 Freiburg."),
    ("it", "Consegnare in Piazza Santa Croce 16, Firenze."),
    ("pt", "Moro agora na Rua das Flores 230, Porto."),
    ("nl", "Stuur het pakket naar Prinsengracht 263, Amsterdam."),
    ("sv", "Min adress är Drottninggatan 53, Stockholm."),
    ("pl", "Proszę wysłać na ul. Piotrkowska 104, Łódź."),
    ("cs", "Doručte prosím na Vinohradská 1511/230, Praha."),
    ("el", "Η διεύθυνση είναι Οδός Αθηνάς 12, Αθήνα."),
    ("ru", "Доставьте на улицу Ленина, дом 15, Казань."),
    ("zh", "收货地址是上海市浦东新区世纪大道100号。"),
    ("ja", "大阪府大阪市北区梅田3丁目1番3号に送ってください。"),
    ("ko", "주소는 서울특별시 종로구 세종대로 175입니다."),
    ("en", "ship it to 5 rowan close, bristol please"),
    ("da", "Send venligst til Nørregade 7, 1165 København."),
    ("ro", "Adresa mea este Strada Lipscani 45, București."),
]

BENIGN = [
    ("en", "Grace Hopper Celebration registrations open next week."),
    ("en", "Install Visual Studio Code and the Rust Analyzer extension."),
    ("en", "The Golden State Warriors won by twelve points."),
    ("en", "Jordan River Park closes at sunset in winter."),
    ("en", "Read Pride and Prejudice before the book club on Friday."),
    ("en", "Amazon Web Services announced new regions in Europe."),
    ("en", "Victoria Station is closed for engineering works."),
    ("en", "Upgrade to Ruby Gems 3.5 before running bundle install."),
    ("de", "Die Deutsche Bahn meldet Verspätungen im Fernverkehr."),
    ("fr", "La Tour Eiffel sera éclairée en bleu ce soir."),
    ("es", "El Real Madrid jugará el sábado en el Santiago Bernabéu."),
    ("it", "La Galleria degli Uffizi apre alle 8:15."),
    ("pt", "O Banco do Brasil atualizou o aplicativo."),
    ("nl", "De Nederlandse Spoorwegen rijden vandaag minder treinen."),
    ("en", "Port 8080 is used by the Jenkins agent on build-04."),
    ("en", "Sprint 42 retro: Team Phoenix shipped the billing page."),
    ("en", "The Marie Curie fellowship deadline is 15 January."),
    ("en", "Order #55120 shipped via Royal Mail Tracked 24."),
    ("en", "Release 2.4 adds Apple Silicon builds and fixes Windows Defender warnings."),
    ("en", "Martin Luther King Jr. Day is a federal holiday."),
]

emit(PERSON, ADDRESS, BENIGN)
