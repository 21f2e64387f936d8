# English — user interface text. Every key must also exist in zh-CN/kiosk.ftl.

app-title = Self-service kiosk
language-switch = 中文
language-name = English

home-welcome = Welcome! What would you like to do?
home-welcome-library = Welcome to the self-service library
home-welcome-station = Welcome to the workers' rest station
home-borrow = Borrow
home-borrow-hint = Scan your card, place the books on the pad
home-return = Return
home-return-hint = No card needed, just place the books
home-account = My account
home-account-hint = Loans, renewals and holds
home-station = Rest station
home-station-hint = Rest, drink water, charge your phone
home-large-text = Large text
home-high-contrast = High contrast

status-online = Online
status-offline = Offline
status-connecting = Connecting…
status-queued = { $count ->
    [one] 1 transaction waiting to be sent
   *[other] { $count } transactions waiting to be sent
}
status-demo = Demo mode
status-clock = { $time }

error-ask-staff = Please ask staff at the desk for help.

receipt-loan = Loan receipt
receipt-return = Return receipt
receipt-renewal = Renewal receipt
receipt-time = Time
receipt-terminal = Terminal
receipt-patron = Patron
receipt-untitled = (title unknown)
receipt-due = Due { $date }
receipt-renewed-due = Renewed, due { $date }
receipt-due-unknown = Due date: ask the library
receipt-returned = Returned
receipt-not-done = Not done
receipt-count-loan = { $count ->
    [one] 1 item borrowed
   *[other] { $count } items borrowed
}
receipt-count-return = { $count ->
    [one] 1 item returned
   *[other] { $count } items returned
}
receipt-count-renewal = { $count ->
    [one] 1 item renewed
   *[other] { $count } items renewed
}
receipt-on-loan = On loan now: { $count }
receipt-holds-ready = { $count ->
    [one] 1 hold is ready for you
   *[other] { $count } holds are ready for you
}
receipt-queued = * Recorded; will be sent to the library system

block-charge-denied = Borrowing is suspended on your card. Please ask staff at the desk.
block-card-lost = This card was reported lost. Please ask staff at the desk.
block-too-many-items = You have borrowed as many books as you can. Return some to borrow more.
block-too-many-overdue = You have overdue books. Please return them first.
block-excessive-fines = Your fines are over the limit. Please pay at the desk, then borrow.
block-excessive-fees = Your fees are over the limit. Please pay at the desk, then borrow.
block-other = Your card cannot borrow right now. Please ask staff at the desk.

visit-leave = Back to start
visit-finish = Done
visit-wait = Please wait…
keypad-ok = OK
identify-title = Scan your library card or QR e-card
identify-hint = Hold the card's barcode or the QR code on your phone to the scanner, or put your card on the pad
identify-type = Type the card number
identify-looking-up = Looking up your account…
identify-unknown = This card was not found. Please try again or ask staff at the desk.
identify-unavailable = The library system cannot be reached, so cards cannot be checked right now. Returns still work.
pin-title = Enter your PIN
pin-wrong = Wrong PIN. { $count ->
    [one] 1 try left
   *[other] { $count } tries left
}
patron-hello = Hello, { $name }
patron-loans = { $count } on loan
patron-loans-limit = { $count } of { $limit } on loan
patron-holds = { $count ->
    [one] 1 hold ready to collect
   *[other] { $count } holds ready to collect
}
patron-fines = Fines: { $amount } CNY
borrow-title = Borrow
borrow-hint = Put the books on the pad, or scan their barcodes
return-title = Return
return-hint = Put the books to return on the pad, or scan their barcodes
account-title = My account
account-hint = Your loans
account-no-loans = You have nothing on loan
account-renew-all = Renew all
line-working = Working…
line-due = Borrowed, due { $date }
line-renewed = Renewed, due { $date }
line-returned = Returned
line-hold-shelf = Returned: put it on the hold shelf ({ $name })
line-transit = Returned: put it in the transit bin (to { $branch })
line-staff = Returned: please hand this book to staff
line-refused = Not done: { $reason }
line-set-incomplete = This set has { $parts } parts; only { $found } are on the pad. Put the whole set on the pad.
line-security-failed = Not borrowed: put the book back in the middle of the pad and try again
line-blocked = Not borrowed: your card cannot borrow right now
line-queued = recorded, will be sent
page-previous = Previous
page-next = Next
receipt-question = Would you like a receipt?
receipt-print = Print a receipt
receipt-none = No, thanks
receipt-printing = Printing your receipt…
receipt-printed = Please take your receipt
receipt-failed = The printer cannot print right now. Here is what you did; ask staff at the desk if you need a receipt.
goodbye-finished = All done. Thank you!
goodbye-timed-out = The session ended because nothing happened for a while.
goodbye-too-many-pins = Too many wrong PINs. Please ask staff at the desk.
goodbye-home = Back to start
timeout-warning = Still there? This session ends in { $seconds } s
timeout-more-time = I need more time
scan-rejected = This code cannot be used here ({ $code })
tag-unreadable = A book's tag cannot be read. Please hand it to staff.

demo-tray-open = Demo tray
demo-tray-close = Hide demo tray
demo-tray-cards = Cards:
demo-tray-scan = Scan:
demo-tray-pad = Pad:
demo-tray-stack = Two books
demo-tray-set = A whole set
demo-tray-set-missing = A set with a part missing
demo-tray-clear = Take all off

offline-banner = The library system cannot be reached. Returns work as usual; loans are recorded here and sent automatically when it is back.
offline-banner-no-loans = The library system cannot be reached. Returns work as usual; borrowing is paused. Please come back later or ask staff at the desk.
patron-offline = Borrowing offline (card { $card }): your account cannot be checked right now. Up to { $limit } books, for { $days } days; they will be sent to the library system when it is back.
identify-account-offline = The library system cannot be reached, so your account cannot be shown. Please try again later.

attract-library = Self-service library
attract-library-hint = Scan your library card to borrow; put books on the pad to return
attract-station = Workers' rest station
attract-station-hint = A place for outdoor workers to rest, drink water and charge a phone
attract-both = Self-service library · Rest station
attract-both-hint = Borrow and return books, or take a rest, drink water and charge a phone
attract-touch = Touch the screen to start

loan-due = Due { $date }
loan-overdue = Overdue · was due { $date }
account-renew-selected = Renew selected ({ $count })
receipt-qr-hint = Scan with your phone to keep a record
attract-how-scan = Scan your card here
attract-how-pad = Put books on the pad

demo-tray-technician = Technician card · PIN 2580

diag-tab-overview = Overview
diag-tab-scanner = Scanner
diag-tab-rfid = RFID
diag-tab-printer = Printer
diag-tab-ils = Library system
diag-tab-queue = Queue
diag-tab-logs = Logs
diag-tab-config = Config
diag-tab-bundle = Support bundle
diag-leave = Leave diagnostics
diag-working = Working…
diag-entry-title = Technician diagnostics
diag-entry-card = Card { $card }. Type the technician PIN.
diag-pin-wrong = Wrong PIN. { $left } attempt(s) left before entry locks for five minutes.
diag-pin-locked = Too many wrong PINs. Entry is locked until { $time }.
diag-not-configured = Diagnostics is not set up on this kiosk: set diagnostics.technician_pin_hash (see `kiosk config hash-pin`), or use `kiosk diag` over SSH.
diag-all-well = All is well: every device answers, the library system is reachable and no transaction waits for staff.
diag-devices = Devices
diag-device-counts = errors { $errors } · reconnects { $reconnects }
diag-online = online
diag-offline = unreachable
diag-unchecked = not checked yet
diag-address = Address
diag-state = State
diag-round-trip = Round trip
diag-last-error = Last error
diag-queue-pending = Waiting
diag-queue-in-flight = Sent, no answer
diag-queue-rejected = Refused
diag-machine = This kiosk
diag-version = Version
diag-uptime = Running for
diag-disk = Disk
diag-disk-free = { $free } free of { $total }
diag-scanner-hint = Scan anything: each scan shows its symbology, what the kiosk makes of it and its check digit.
diag-scanner-empty = No scans yet.
diag-rfid-empty = Put a tag on the pad to inspect it.
diag-on = on
diag-off = off
diag-tag-format = Data model
diag-tag-item = Item ID
diag-tag-owner = Owner
diag-tag-set = Part
diag-tag-usage = Usage
diag-tag-title = Title
diag-tag-shelf = Shelf
diag-secure = Secure (in library)
diag-unsecure = Unsecure (on loan)
diag-reencode-hint = To re-encode this tag, scan the book's barcode.
diag-confirm-secure = Write the in-library security state to tag { $uid }?
diag-confirm-unsecure = Write the on-loan security state to tag { $uid }? The book will pass the gate.
diag-confirm-reencode = Write new data to tag { $uid } so that it carries { $barcode }? The old data is overwritten.
diag-confirm-yes = Yes, write
diag-cancel = Cancel
diag-test-print = Print a test receipt
diag-last-receipt = The last receipt, as printed:
diag-no-receipt = No receipt printed since the kiosk started.
diag-history = Round trips
diag-check-ils = Log in and check status
diag-ils-scan-hint = Scan a card or a book to look it up.
diag-queue-empty = The queue is empty: every transaction has reached the library system.
diag-queue-export = Export as CSV
diag-queue-retry = Send again
diag-queue-note = How was it dealt with?
diag-queue-resolve = Mark resolved
diag-queue-select = Tap a refused transaction to send it again or mark it resolved. Nothing is ever deleted.
diag-queue-note-needed = Write a note saying how the transaction was dealt with.
diag-queue-retried = Queued again; it is sent on the next sync round.
diag-queue-resolved = Marked resolved; it stays in the journal with the note.
diag-note-desk = Dealt with at the desk
diag-note-duplicate = Duplicate of another transaction
diag-note-ils-fixed = Corrected in the library system
diag-logs-empty = No log entries at this level.
diag-logs-newest-first = Newest first.
diag-bundle-hint = A support bundle holds the logs, the configuration (secrets masked), database statistics, the device listing and versions. Plug in a USB stick, then choose where to write it.
diag-bundle-write = Write the bundle to { $place }

demo-tray-union = Union cards:

station-welcome = Welcome to the rest station
station-pick-trade = Tap your trade to check in.
station-card-first = Card read
station-card-again = Welcome back (visit { $count })
station-present = { $present } of { $capacity } here
station-full-now = Full: { $present } of { $capacity }
station-scan-hint = Have a union card, work badge or QR code? Scan it to check in, and again to check out.
station-check-out = Check out
station-back = Back
station-services-title = { $trade }: what would you like?
station-services-hint = Tap all that apply, or none. Then tap Check in.
station-card-ready = Your card is read.
station-confirm = Check in
station-checked-in = You are checked in
station-hello = Welcome, { $trade }! Take a rest.
station-hello-again = Welcome back, { $trade }! This is your visit { $count }.
station-offers = Here you can use:
station-wifi = Wi-Fi: { $name } · password { $password }
station-leave-hint = When you leave, tap Check out or scan your card again.
station-ok = OK
station-borrow = Borrow a book to read
station-check-out-title = Check out
station-check-out-hint = Tap your check-in. If you checked in with a card, just scan it again.
station-nobody = Nobody is checked in.
station-since = since { $time }
station-this-is-me = This is me
station-goodbye = You are checked out
station-stayed = You rested { $minutes } minutes. Take care out there!
station-full = The station is full
station-full-count = The station is full ({ $capacity } seats)
station-full-hint = Please come back a little later, or ask the staff on duty.
station-error = Something went wrong here. Please try again or ask the staff on duty.

diag-tab-station = Rest station
summary-title = Rest station: the day
summary-visits = Visits
summary-card-holders = Card holders
summary-repeat = Came more than once
summary-average = Average stay
summary-minutes = { $count } min
summary-busiest = Busiest hours
summary-by-trade = By trade
summary-by-service = By service
summary-printed = Printed { $time }
stats-day = Today
stats-week = This week
stats-month = This month
stats-print = Print today's summary
stats-visits = Visits
stats-by-hour = By hour of day
stats-by-trade = By trade
stats-by-service = By service
stats-last-30 = The last 30 days
stats-none = No visits in this period.
report-title = { $station }: rest station visits { $from } to { $to }
report-per-day = Visits per day
diag-queue-send-now = Send waiting ones now
