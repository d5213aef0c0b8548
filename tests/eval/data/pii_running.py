"""Hand-written evaluation family: person names and street addresses in running text, without a
field label (support messages, tickets, chat), in several languages and scripts. Written for issue 12
from general knowledge (names and streets chosen by hand, many deliberately outside Faker's lists);
NOT produced by scripts/eval/gen_pii.py or Faker, never used for training or for the gazetteers.
Run: python3 tests/eval/data/pii_running.py > tests/eval/data/pii_running.jsonl
"""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from running_emit import emit  # noqa: E402

PERSON = [
    ("en", "Please change the account holder to Katarina Novak, she takes over from next month."),
    ("en", "Can you update the owner of this subscription to Wojciech Kowalczyk? He is my business partner."),
    ("en", "I spoke with Siobhan O'Sullivan yesterday and she confirmed the refund."),
    ("en", "The parcel was signed for by Tendai Moyo at the front desk."),
    ("en", "Transfer the ticket to Aleksander Wiśniewski in the Kraków office."),
    ("en", "our new tenant is jonas lindqvist, please add him to the lease"),
    ("en", "Hi, this is Oluwaseun Adeyemi, I never received my order."),
    ("en", "Put the invoice in the name of Eleni Papadopoulou instead of mine."),
    ("en", "The complaint came from Rahul Venkataraman, who was charged twice."),
    ("en", "Please remove Bogdan Petrović from the shared mailbox."),
    ("en", "Nguyen Thi Huong called about the broken heater again."),
    ("en", "Add Mateja Kranjc as a second contact on the account."),
    ("en", "my sister aiko tanaka will pick up the keys on friday"),
    ("en", "The contract was drafted by Fionnuala Breathnach last spring."),
    ("en", "Reassign the laptop from Dmitri Sokolov to Ingrid Halvorsen."),
    ("en", "Could you send the certificate to Kwame Mensah as well?"),
    ("es", "Por favor, cambia el titular de la cuenta a Ximena Caballero Ortiz."),
    ("es", "Ayer hablé con Joaquín Etxeberria sobre la factura pendiente."),
    ("es", "el paquete lo recogerá mi vecina lucía fernández"),
    ("fr", "Merci de mettre le contrat au nom de Gwenaëlle Le Goff."),
    ("fr", "J'ai parlé avec Théo Vandenberghe, il confirme le remboursement."),
    ("de", "Bitte ändern Sie den Kontoinhaber auf Jörg Schimmelpfennig."),
    ("de", "Das Paket hat Aylin Yılmaz am Empfang angenommen."),
    ("pt", "Por favor, altere o titular da conta para Conceição Magalhães."),
    ("pt", "Falei com o João Pedro Bittencourt sobre a fatura."),
    ("it", "Vi prego di intestare la fattura a Giuseppina Mastrangelo."),
    ("it", "Ho parlato con Lorenzo Quattrocchi della consegna."),
    ("pl", "Proszę zmienić właściciela konta na Grzegorz Brzęczyszczykiewicz."),
    ("sl", "Prosim, spremenite imetnika računa na Urška Zupančič."),
    ("sv", "Kan ni byta kontoinnehavare till Sigrid Åkesson?"),
    ("el", "Παρακαλώ αλλάξτε τον κάτοχο του λογαριασμού σε Γιώργος Παπαδάκης."),
    ("ru", "Пожалуйста, переоформите договор на Светлану Кузнецову."),
    ("tr", "Lütfen hesap sahibini Mehmet Öztürk olarak değiştirin."),
    ("zh", "请把账户持有人改成王秀英，她下个月接手。"),
    ("zh", "昨天我和李建国通了电话，他确认了退款。"),
    ("ja", "契約者を佐藤花子さんに変更してください。"),
    ("ko", "계정 소유자를 김민준 님으로 변경해 주세요."),
    ("ar", "يرجى تغيير صاحب الحساب إلى فاطمة الزهراء بنت علي."),
    ("hi", "कृपया खाते का धारक बदलकर प्रिया शर्मा कर दें।"),
    ("vi", "Vui lòng đổi chủ tài khoản sang Trần Thị Mai."),
]
ADDRESS = [
    ("en", "Please update my address to 14 Larkspur Crescent, Leeds LS6 2QT."),
    ("en", "The delivery should go to 2207 Oakhaven Drive, Apartment 4B, Austin."),
    ("en", "we moved, new place is 9 harbour view road, cobh"),
    ("en", "Send the replacement to 31 Whitmore Lane, Sunningdale."),
    ("en", "The office is now at 450 Bayshore Parkway, second floor."),
    ("sv", "Ändra min adress till Storgatan 12, 352 31 Växjö."),
    ("sv", "Paketet ska till Kungsholmsgatan 8B i Stockholm."),
    ("el", "Η νέα μου διεύθυνση είναι Οδός Ερμού 25, Αθήνα 105 63."),
    ("el", "Please ship it to Odos Ermou 25, Athens 105 63."),
    ("pl", "Proszę zmienić adres na ul. Marszałkowska 84/92, 00-514 Warszawa."),
    ("sl", "Nov naslov je Trubarjeva cesta 17, 1000 Ljubljana."),
    ("de", "Bitte senden Sie die Rechnung an Lindenstraße 42, 10969 Berlin."),
    ("de", "wir wohnen jetzt in der kastanienallee 7 in leipzig"),
    ("fr", "Merci d'envoyer le colis au 18 rue des Capucins, 69001 Lyon."),
    ("fr", "Ma nouvelle adresse : 5 avenue Jean-Jaurès, Toulouse."),
    ("es", "Envíelo a Calle de Alcalá 123, 28009 Madrid, por favor."),
    ("es", "Nos mudamos a Avenida Insurgentes Sur 1602, Ciudad de México."),
    ("pt", "O novo endereço é Rua Augusta 1508, São Paulo."),
    ("it", "Spedite tutto a Via dei Mille 21, 80121 Napoli."),
    ("nl", "Mijn nieuwe adres is Prinsengracht 263, 1016 GV Amsterdam."),
    ("ru", "Новый адрес: улица Тверская, дом 7, Москва."),
    ("zh", "请寄到北京市朝阳区建国路88号。"),
    ("ja", "住所を東京都新宿区西新宿2丁目8番1号に変更してください。"),
    ("ar", "عنواني الجديد هو شارع الملك فهد 45، الرياض."),
    ("hi", "नया पता है 12, गांधी मार्ग, जयपुर।"),
]
BENIGN = [
    ("en", "The new release fixes the crash on startup and improves search speed."),
    ("en", "Please update the documentation before the Friday release."),
    ("en", "Street View coverage was extended to three more countries this year."),
    ("en", "The meeting moved to the second floor conference room."),
    ("en", "Grace Hopper Day is celebrated by the team every December."),
    ("en", "Run the migration on staging, then on production."),
    ("de", "Bitte aktualisieren Sie die Dokumentation vor dem Release."),
    ("fr", "La nouvelle version corrige le plantage au démarrage."),
    ("es", "La reunión se trasladó a la sala de conferencias."),
    ("zh", "新版本修复了启动时崩溃的问题。"),
    ("ja", "新しいバージョンでは起動時のクラッシュが修正されました。"),
    ("ru", "Новая версия исправляет сбой при запуске."),
]

emit(PERSON, ADDRESS, BENIGN)
