# 简体中文 — 界面文字。每个键在 en/kiosk.ftl 中也必须存在。

app-title = 自助服务终端
language-switch = English
language-name = 中文

home-welcome = 欢迎！请选择您要办理的业务
home-welcome-library = 欢迎使用自助借还机
home-welcome-station = 欢迎来到工会爱心驿站
home-borrow = 借书
home-borrow-hint = 刷读者证，把书放在感应区
home-return = 还书
home-return-hint = 无需读者证，直接放书
home-account = 我的借阅
home-account-hint = 查看、续借、预约
home-station = 爱心驿站签到
home-station-hint = 歇歇脚、喝口水、充个电
home-large-text = 大字
home-high-contrast = 高对比度

status-online = 已联网
status-offline = 离线
status-connecting = 正在连接…
status-queued = 待上传 { $count } 笔
status-demo = 演示模式
status-clock = { $time }

error-ask-staff = 请到服务台找工作人员帮忙。

receipt-loan = 借书凭条
receipt-return = 还书凭条
receipt-renewal = 续借凭条
receipt-time = 时间
receipt-terminal = 终端
receipt-patron = 读者
receipt-untitled = （书名不详）
receipt-due = 应还 { $date }
receipt-renewed-due = 续借至 { $date }
receipt-due-unknown = 应还日期以图书馆为准
receipt-returned = 已还
receipt-not-done = 未办理
receipt-count-loan = 本次借出 { $count } 册
receipt-count-return = 本次归还 { $count } 册
receipt-count-renewal = 本次续借 { $count } 册
receipt-on-loan = 当前在借 { $count } 册
receipt-holds-ready = 您有 { $count } 册预约书可取
receipt-queued = * 已记录，联网后将发送到图书馆系统

block-charge-denied = 您的借书权限已暂停。请到服务台咨询。
block-card-lost = 这张读者证已挂失。请到服务台办理。
block-too-many-items = 您已借满可借册数。还书后即可再借。
block-too-many-overdue = 您有过期未还的书。请先还书。
block-excessive-fines = 您的欠款超过限额。请到服务台缴纳后再借。
block-excessive-fees = 您的费用超过限额。请到服务台缴纳后再借。
block-other = 您的读者证暂时不能借书。请到服务台咨询。
