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
home-station = Rest station check-in
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
